"""Spanish: how its news writing attributes a statement.

Spanish wire copy (EFE, Europa Press) reports in the perfect tense ("ha subrayado
Albares", "ha pedido tiempo"), the preterite ("advirtió de que") and the present
("Albares entiende que"), and goes on with a gerund ("…, añadiendo que"); the verbs of
saying are listed once by stem and each tense is made from them. The subject is often
dropped after an opening phrase ("Preguntado por el caso, ha afirmado que…"): the
speaker is then the one before.
"""

from intake.lexicon.base import Language

# Verbs of saying, as (participle, preterite, present, gerund); "" where a form is not used
# to attribute a statement (or is ambiguous: "llama", "celebra").
SAYING = (
    ("dicho", "dijo", "dice", ""),
    ("afirmado", "afirmó", "afirma", "afirmando"),
    ("declarado", "declaró", "declara", "declarando"),
    ("asegurado", "aseguró", "asegura", "asegurando"),
    ("señalado", "señaló", "señala", "señalando"),
    ("advertido", "advirtió", "advierte", "advirtiendo"),
    ("subrayado", "subrayó", "subraya", "subrayando"),
    ("añadido", "añadió", "añade", "añadiendo"),
    ("agregado", "agregó", "agrega", "agregando"),
    ("indicado", "indicó", "indica", "indicando"),
    ("explicado", "explicó", "explica", "explicando"),
    ("insistido", "insistió", "insiste", "insistiendo"),
    ("pedido", "pidió", "pide", "pidiendo"),
    ("destacado", "destacó", "destaca", "destacando"),
    ("reiterado", "reiteró", "reitera", "reiterando"),
    ("anunciado", "anunció", "anuncia", "anunciando"),
    ("reconocido", "reconoció", "reconoce", "reconociendo"),
    ("denunciado", "denunció", "", "denunciando"),
    ("recalcado", "recalcó", "recalca", "recalcando"),
    ("manifestado", "manifestó", "manifiesta", ""),
    ("instado", "instó", "insta", "instando"),
    ("sostenido", "sostuvo", "sostiene", "sosteniendo"),
    ("defendido", "defendió", "defiende", "defendiendo"),
    ("reclamado", "reclamó", "reclama", "reclamando"),
    ("exigido", "exigió", "exige", "exigiendo"),
    ("criticado", "criticó", "critica", "criticando"),
    ("lamentado", "lamentó", "lamenta", "lamentando"),
    ("valorado", "valoró", "valora", ""),
    ("apuntado", "apuntó", "apunta", "apuntando"),
    ("precisado", "precisó", "precisa", "precisando"),
    ("remarcado", "remarcó", "remarca", "remarcando"),
    ("recordado", "recordó", "recuerda", "recordando"),
    ("incidido", "incidió", "incide", "incidiendo"),
    ("garantizado", "garantizó", "garantiza", "garantizando"),
    ("expresado", "expresó", "expresa", "expresando"),
    ("negado", "negó", "niega", "negando"),
    ("abogado", "abogó", "aboga", "abogando"),
    ("apostado", "apostó", "", "apostando"),
    ("esgrimido", "esgrimió", "esgrime", "esgrimiendo"),
    ("argumentado", "argumentó", "argumenta", "argumentando"),
    ("aducido", "adujo", "aduce", "aduciendo"),
    ("remachado", "remachó", "remacha", "remachando"),
    ("mantenido(?= que)", "mantuvo(?= que)", "mantiene(?= que)", ""),
    ("descartado", "descartó", "descarta", "descartando"),
    ("planteado", "planteó", "", ""),
    ("aseverado", "aseveró", "asevera", "aseverando"),
    ("matizado", "matizó", "matiza", "matizando"),
    ("apostillado", "apostilló", "apostilla", "apostillando"),
    ("alertado", "alertó", "", "alertando"),
    ("admitido", "admitió", "admite", "admitiendo"),
    ("confirmado", "confirmó", "confirma", "confirmando"),
    ("considerado", "consideró", "considera", "considerando"),
    ("estimado", "estimó", "estima", "estimando"),
    ("opinado", "opinó", "opina", "opinando"),
    ("rechazado", "rechazó", "rechaza", "rechazando"),
    ("calificado", "calificó", "califica", "calificando"),
    ("condenado", "condenó", "", "condenando"),
    ("sentenciado", "sentenció", "", "sentenciando"),
    ("zanjado", "zanjó", "zanja", ""),
    ("concluido", "concluyó", "concluye", ""),
    ("resaltado", "resaltó", "resalta", "resaltando"),
    ("enfatizado", "enfatizó", "enfatiza", "enfatizando"),
    ("puntualizado", "puntualizó", "puntualiza", "puntualizando"),
    ("prometido", "prometió", "promete", "prometiendo"),
    ("propuesto", "propuso", "propone", ""),
    ("respondido", "respondió", "responde", "respondiendo"),
    ("replicado", "replicó", "replica", "replicando"),
    ("aclarado", "aclaró", "aclara", "aclarando"),
    ("reivindicado", "reivindicó", "reivindica", "reivindicando"),
    ("comentado", "comentó", "comenta", "comentando"),
    ("confesado", "confesó", "confiesa", "confesando"),
    ("reprochado", "reprochó", "reprocha", "reprochando"),
    ("censurado", "censuró", "", "censurando"),
    ("entendido", "entendió", "entiende", ""),
)
# "ha dejado claro", "se mostró convencido de que", "se limitó a decir": phrases that
# attribute like one verb.
PHRASES = (
    r"(?:ha (?:querido )?|quiso |)dej(?:ado|ó|a|ar) claro",
    r"se (?:ha )?(?:mostrado|mostró|muestra) (?:convencid[oa]s?|partidari[oa]s?|"
    r"confiad[oa]s?|seguro|segura)",
    r"se (?:ha )?(?:limitado|limitó) a (?:decir|señalar|afirmar|responder)",
)
# Adverbs Spanish puts between the auxiliary and the participle: "ha también señalado".
_BETWEEN = r"(?: (?:también|además|asimismo|incluso|ya))?"


def _forms() -> tuple[str, ...]:
    participles = "|".join(p for p, *_ in SAYING)
    simple = tuple(form for _p, *forms in SAYING for form in forms if form)
    return (rf"(?:ha|han|había){_BETWEEN} (?:{participles})", *PHRASES, *simple)


ES = Language(
    code="es",
    verbs=_forms(),
    complementizers=(r"que",),
    according=(
        r"según",
        r"de acuerdo con",
        r"a juicio de",
        r"en palabras de",
        r"en opinión de",
        r"a decir de",
    ),
    pronouns=(r"él", r"ella"),
    roles=(
        r"ministro de (?:asuntos )?exteriores",
        r"canciller",
        r"primer ministro",
        r"president[ea]",
        r"ministr[oa]",
        r"portavoz",
        r"embajador(?:a)?",
        r"enviad[oa]",
        r"secretari[oa] general",
        r"secretari[oa]",
        r"profesor(?:a)?",
        r"expert[oa]",
        r"analista",
        r"director(?:a)?",
        r"jefe",
        r"jefa",
        r"diplomátic[oa]",
        r"representante",
        r"comisari[oa]",
        r"asesor(?:a)?",
        r"homólog[oa]",
        r"titular",
    ),
    connectives=(r"sin embargo", r"pero", r"no obstante", r"además", r"asimismo"),
    # Opening phrases after which the verb's subject is dropped, the speaker before.
    introductions=(
        r"(?:preguntad|consultad|interrogad|cuestionad)[oa]s? (?:\w+ )?(?:por|sobre|acerca de|si) "
        r"[^.;,]{1,200}",
        r"en (?:este|ese) (?:sentido|punto|contexto)",
        r"(?:en relación (?:a|con)|(?:con )?respecto a|en cuanto a|sobre|a propósito de) "
        r"[^.;,]{1,80}",
        r"(?:al|a este) respecto",
        r"con todo",
        r"por (?:eso|ello|esa razón|otra parte|otro lado|su parte)",
        r"en (?:cambio|cualquier caso|concreto|paralelo)",
        r"por último",
        r"finalmente",
        r"igualmente",
        r"también",
        r"al mismo tiempo",
    ),
    back_references=(r"así lo", r"así se", r"lo", r"eso", r"esto"),
    occasions=(
        r"(?:en|durante|tras) (?:una?|la|el|su) (?:rueda de prensa|conferencia de prensa|"
        r"llamada(?: telefónica)?|reunión|entrevista|cumbre|discurso|declaración|comunicado|"
        r"visita|debate|comparecencia)(?: (?:con|a|en|ante|de) [^,.;:«»“”]{2,80})?",
    ),
    determiners=(r"un", r"una", r"el", r"la", r"los", r"las", r"su"),
    fillers=(r"el \w+", r"también"),
    participle=r"\w+(?:ando|iendo)",
    prepositions=(
        "en",
        "a",
        "de",
        "del",
        "al",
        "con",
        "para",
        "por",
        "desde",
        "hacia",
        "tras",
        "entre",
        "sobre",
        "ante",
    ),
)
