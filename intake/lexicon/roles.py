"""What a role word means in any of the languages, for matching it to the English role
titles of affiliations."""

ROLE_CONCEPTS: tuple[tuple[str, tuple[str, ...]], ...] = (
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
    (
        "spokes",
        ("spokes", "porte-parole", "sprecher", "portavoz", "представитель", "пресс-секретар"),
    ),
    (
        "ambassador",
        ("ambassador", "ambassadeur", "ambassadrice", "botschafter", "embajador", "посол", "посла"),
    ),
    ("professor", ("professor", "professeur", "profesor", "профессор")),
    ("minister", ("minister", "ministre", "ministro", "министр")),
    # The UN's head before any other secretary: "the Secretary-General" is not Blinken.
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
    ("secretary", ("secretary", "secrétaire", "sekretär", "secretario", "секретар")),
    ("envoy", ("envoy", "representative", "envoyé", "gesandte", "enviado", "спецпредставител")),
)
