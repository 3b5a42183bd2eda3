"""What a role word means in any of the languages, for matching it to the English role
titles of affiliations."""

# The posts that serve a body or a person come first: "the president's press secretary" and
# "porte-parole du ministère des affaires étrangères" are a spokesperson, never the president
# or the minister they speak for.
ROLE_CONCEPTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "spokes",
        (
            "spokes",
            "press secretary",
            "porte-parole",
            "sprecher",
            "portavoz",
            "представитель",
            "пресс-секретар",
        ),
    ),
    (
        "ambassador",
        ("ambassador", "ambassadeur", "ambassadrice", "botschafter", "embajador", "посол", "посла"),
    ),
    ("envoy", ("envoy", "representative", "envoyé", "gesandte", "enviado", "спецпредставител")),
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
    ("minister", ("minister", "ministre", "ministro", "министр")),
    ("secretary", ("secretary", "secrétaire", "sekretär", "secretario", "секретар", "генсек")),
)

# Titles on record that name a post serving a body, by the concept a descriptor must have to
# mean it: "Press Secretary of the President of Russia" is a spokesperson's title.
SERVING_POSTS: dict[str, tuple[str, ...]] = {
    "spokes": ("spokes", "press secretary"),
    "ambassador": ("ambassador",),
    "envoy": ("envoy", "representative"),
}
