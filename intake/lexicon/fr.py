"""French: how its news writing attributes a statement."""

from intake.lexicon.base import Language

FR = Language(
    code="fr",
    verbs=(
        # Participles after the speaker's clause ("…, soulignant que …", "appelant à …").
        r"soulignant",
        r"affirmant",
        r"ajoutant",
        r"estimant",
        r"assurant",
        r"appelant",
        r"martelant",
        r"rappelant",
        r"précisant",
        r"expliquant",
        r"indiquant",
        r"dénonçant",
        r"plaidant",
        r"exhortant",
        r"réclamant",
        r"jugeant",
        r"insistant",
        r"avertissant",
        r"réaffirmant",
        r"réitérant",
        r"déplorant",
        r"a(?:-t-(?:il|elle))?(?: (?:pour sa part|de son côté|quant à lui|quant à elle|"
        r"également|aussi|encore|notamment|ensuite|enfin|par ailleurs|en outre|d'ailleurs|"
        r"d’ailleurs|toutefois|cependant|néanmoins|surtout|aussitôt|de nouveau|à nouveau))? "
        r"(?:déclaré|proposé|qualifié|"
        r"affirmé|ajouté|estimé|souligné|averti|dit|redit|indiqué|"
        r"assuré|expliqué|rappelé|dénoncé|appelé|insisté|martelé|prévenu|jugé|plaidé|"
        r"exhorté|demandé|répondu|reconnu|annoncé|promis|accusé|fait valoir|fait savoir|"
        r"mis en garde|précisé|lancé|confié|déploré|regretté|salué|écrit|réaffirmé|"
        r"réitéré|répété|exigé|condamné|fustigé|critiqué|défendu|prôné|réclamé|souhaité|"
        r"confirmé|démenti|relevé|noté|tranché|conclu|répliqué|rétorqué|raconté|admis)",
        r"déclare",
        r"affirme",
        r"estime",
        r"souligne",
        r"ajoute",
        r"explique",
        r"assure",
        r"avertit",
        r"indique",
        r"dit",
        r"insiste",
        r"rappelle",
        r"dénonce",
        r"appelle",
        r"réaffirme",
        r"réclame",
        r"exige",
        r"martèle",
        r"plaide",
        r"prévient",
        r"regrette",
        r"déplore",
        r"déclarait",
        r"affirmait",
        r"estimait",
        r"soulignait",
    ),
    complementizers=(r"que", r"qu'", r"qu’"),
    according=(r"selon", r"d'après", r"d’après", r"pour"),
    pronouns=(r"il", r"elle"),
    roles=(
        r"ministre des affaires étrangères",
        r"chef(?:fe)? de la diplomatie",
        r"premier ministre",
        r"président(?:e)?",
        r"ministre",
        r"chancelier(?:ère)?",
        r"porte-parole",
        r"ambassadeur",
        r"ambassadrice",
        r"envoyé(?:e)?(?: spécial(?:e)?)?",
        r"secrétaire général(?:e)?",
        r"secrétaire",
        r"professeur(?:e)?",
        r"expert(?:e)?",
        r"analyste",
        r"chercheur",
        r"chercheuse",
        r"directeur",
        r"directrice",
        r"chef(?:fe)?",
        r"dirigeant(?:e)?",
        r"diplomate",
        r"représentant(?:e)?",
        r"commissaire",
        r"conseill(?:er|ère)",
        r"négociat(?:eur|rice)",
        r"homologue",
    ),
    connectives=(
        r"cependant",
        r"mais",
        r"toutefois",
        r"pourtant",
        r"en outre",
        r"par ailleurs",
        r"néanmoins",
    ),
    # Opening phrases before the subject: "Interrogé sur la situation, le ministre a jugé".
    introductions=(
        r"(?:interrogé|questionné|invité|sollicité)e?s? (?:\w+ )?(?:sur|par|à propos d[eu']|"
        r"au sujet d[eu']|sur le fait qu) ?[^.;,]{1,200}",
        r"de son côté",
        r"pour sa part",
        r"par ailleurs",
        r"en outre",
        r"dans la foulée",
    ),
    back_references=(r"c['’]est ce qu['’]", r"c['’]est ce que"),
    occasions=(
        # "lors d'une", "lors de la": no space after an elided article.
        r"(?:lors d(?:e |[’'])|au cours d(?:e |[’'])|pendant |durant |dans )"
        r"(?:une? |la |le |l[’']|sa |son )?"
        r"(?:conférence de presse|point de presse|entretien(?: téléphonique)?|"
        r"appel(?: téléphonique)?|réunion|rencontre|interview|sommet|discours|déclaration|"
        r"communiqué|visite|débat|allocution)"
        r"(?: (?:avec|à|au|aux|de|du|devant) [^,.;:«»“”]{2,80})?",
    ),
    determiners=(r"un", r"une", r"le", r"la", r"l'", r"l’", r"les", r"son", r"sa"),
    fillers=(r"mardi|lundi|mercredi|jeudi|vendredi|samedi|dimanche", r"aussi", r"encore"),
    participle=r"\w+ant",
    prepositions=(
        "à",
        "en",
        "de",
        "du",
        "des",
        "avec",
        "pour",
        "par",
        "chez",
        "dans",
        "sur",
        "vers",
        "après",
        "avant",
        "entre",
    ),
)
