"""Spanish: how its news writing attributes a statement."""

from intake.lexicon.base import Language

ES = Language(
    code="es",
    verbs=(
        # The perfect tense of Spanish news ("ha subrayado Albares", "ha señalado que").
        r"ha (?:dicho|afirmado|declarado|asegurado|señalado|advertido|subrayado|añadido|"
        r"agregado|indicado|explicado|insistido|pedido|destacado|reiterado|anunciado|"
        r"reconocido|denunciado|recalcado|manifestado|instado|sostenido|defendido|reclamado|"
        r"exigido|criticado|lamentado|valorado|apuntado|precisado|remarcado|recordado|incidido|"
        r"garantizado|expresado)",
        # Participles after the speaker's clause ("…, añadiendo que …").
        r"añadiendo",
        r"asegurando",
        r"afirmando",
        r"señalando",
        r"subrayando",
        r"anunciando",
        r"dijo",
        r"afirmó",
        r"declaró",
        r"aseguró",
        r"señaló",
        r"advirtió",
        r"subrayó",
        r"añadió",
        r"agregó",
        r"indicó",
        r"explicó",
        r"insistió",
        r"sostuvo",
        r"instó",
        r"pidió",
        r"destacó",
        r"manifestó",
        r"recalcó",
        r"denunció",
        r"reiteró",
        r"anunció",
        r"reconoció",
        r"recordó",
        r"dejó claro",
        r"garantizó",
        r"opinó",
        r"afirma",
        r"dice",
        r"asegura",
        r"señala",
        r"considera",
        r"consideró",
        r"estimó",
    ),
    complementizers=(r"que",),
    according=(r"según", r"de acuerdo con", r"a juicio de"),
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
    ),
    connectives=(r"sin embargo", r"pero", r"no obstante", r"además", r"asimismo"),
    occasions=(
        r"(?:en|durante|tras) (?:una?|la|el|su) (?:rueda de prensa|conferencia de prensa|"
        r"llamada(?: telefónica)?|reunión|entrevista|cumbre|discurso|declaración|comunicado|"
        r"visita|debate|comparecencia)(?: (?:con|a|en|ante|de) [^,.;:«»“”]{2,80})?",
    ),
    determiners=(r"un", r"una", r"el", r"la", r"los", r"las", r"su"),
    fillers=(r"el \w+", r"también"),
)
