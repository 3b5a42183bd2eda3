"""What a role word means in any of the languages, for matching it to the English role
titles of affiliations."""

ROLE_CONCEPTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    # A press secretary or spokesperson of a president or a ministry (and an ambassador or
    # envoy) serves that office, never heads it: these come before "foreign" and
    # "president", which their descriptors name too ("пресс-секретарь президента", "the
    # president's press secretary", "представитель МИД").
    ("press secretary", ("press secretary", "пресс-секретар", "secrétaire de presse")),
    (
        "spokes",
        (
            "spokes",
            "press secretary",  # a spokesperson's descriptor fits a press secretary named before
            "porte-parole",
            "sprecher",
            "portavoz",
            "представител",
            "المتحدث",
            "الناطق",
        ),
    ),
    (
        "ambassador",
        (
            "ambassador",
            "ambassadeur",
            "ambassadrice",
            "botschafter",
            "embajador",
            "посол",
            "посла",
            "سفير",
        ),
    ),
    (
        "envoy",
        ("envoy", "representative", "envoyé", "gesandte", "enviado", "enviada", "спецпредставител"),
    ),
    ("professor", ("professor", "professeur", "profesor", "профессор")),
    (
        "foreign",
        (
            "foreign minister",
            "foreign affairs",  # "Minister of Foreign Affairs", the titles on record
            "top diplomat",
            "affaires étrangères",
            "chef de la diplomatie",
            "cheffe de la diplomatie",
            "außenminister",
            "exteriores",
            "canciller",
            "иностранных дел",
            "мид",
            "внешнеполитическ",  # "глава внешнеполитического ведомства"
            "الخارجية",
        ),
    ),
    (
        "president",
        (
            "president",
            "président",
            "chef de l'état",
            "chef de l’état",
            "staatschef",
            "jefe de estado",
            "глава государства",
            "präsident",
            "presidente",
            "presidenta",
            "президент",
            "лидер",  # "российский лидер", with its country
        ),
    ),
    (
        "prime minister",
        (
            "prime minister",
            "premier ministre",
            "ministerpräsident",
            "regierungschef",
            "primer ministro",
            "премьер",
        ),
    ),
    ("chancellor", ("chancellor", "chancelier", "kanzler", "канцлер")),
    ("minister", ("minister", "ministre", "ministro", "ministra", "министр", "وزير")),
    # Before "secretary": the Secretary-General is no Secretary of State.
    (
        "secretary-general",
        (
            "secretary-general",
            "secretary general",
            "secrétaire général",
            "generalsekretär",
            "secretario general",
            "генсек",
            "генеральный секретарь",
        ),
    ),
    (
        "secretary",
        ("secretary", "secrétaire", "sekretär", "secretario", "secretaria", "секретар", "генсек"),
    ),
)

# Titles on record that name a post serving a body, by the concept a descriptor must have to
# mean it: "Press Secretary of the President of Russia" is a spokesperson's title.
SERVING_POSTS: dict[str, tuple[str, ...]] = {
    "press secretary": ("press secretary",),
    "spokes": ("spokes", "press secretary"),
    "ambassador": ("ambassador",),
    "envoy": ("envoy", "representative"),
}
