"""The sandbox renderer's lexicon: the nouns it can draw (each as a Noto emoji glyph), the
colour words that bind to them, and the style words that change how the picture is painted.

Pure data plus a tiny word normaliser; the renderer reads it, nothing here draws.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

__all__ = [
    "COLOURS",
    "COUNTS",
    "NOUNS",
    "SETTINGS",
    "STYLES",
    "WEATHER",
    "Noun",
    "lookup",
]


@dataclass(frozen=True)
class Noun:
    """A drawable noun: its emoji, where it goes in the scene and the ground it implies."""

    word: str
    glyph: str
    place: str  # "ground", "sky", "water", "building" or "small" (sits on a table/floor)
    ground: str | None = None  # "water", "sand", "snow", "grass" or None (the prompt decides)

    @property
    def person(self) -> bool:
        """True for people and their jobs (a "robot barista" is a robot, not a barista)."""
        return self.glyph[0] in _PEOPLE


# Each block: (place, implied ground, lines of "emoji word word ...").  The first word of a
# line is the noun's usual name; the others are synonyms drawn with the same glyph.
_TABLE: Final = (
    (
        "ground",
        None,
        """
        🐈 cat kitten kitty tabby
        🐕 dog puppy pup hound doggy
        🐩 poodle
        🦮 labrador retriever
        🐕‍🦺 shepherd
        🦊 fox vixen
        🐺 wolf
        🦝 raccoon
        🐻 bear grizzly
        🐼 panda
        🐨 koala
        🐯 tiger
        🐅 jaguar
        🐆 leopard cheetah panther
        🦁 lion lioness
        🐎 horse stallion mare pony steed
        🦄 unicorn
        🦓 zebra
        🦌 deer stag reindeer elk moose
        🦬 bison buffalo
        🐄 cow cattle calf
        🐂 ox bull
        🐖 pig hog piglet
        🐗 boar
        🐏 ram
        🐑 sheep lamb
        🐐 goat
        🐪 camel dromedary
        🐫 bactrian
        🦙 llama alpaca
        🦒 giraffe
        🐘 elephant mammoth
        🦏 rhino rhinoceros
        🦛 hippo hippopotamus
        🐁 mouse mice
        🐀 rat
        🐹 hamster
        🐇 rabbit bunny hare
        🐿️ squirrel chipmunk
        🦫 beaver
        🦔 hedgehog porcupine
        🦇 bat
        🦥 sloth
        🦦 otter
        🦨 skunk
        🦘 kangaroo wallaby
        🦡 badger
        🐒 monkey
        🦍 gorilla
        🦧 orangutan ape
        🐓 rooster cockerel
        🐔 chicken hen
        🐣 chick
        🦃 turkey
        🦚 peacock
        🦤 dodo
        🐧 penguin
        🦩 flamingo
        🦆 duck mallard
        🦢 swan
        🦉 owl
        🐸 frog toad
        🐊 crocodile alligator croc
        🐢 turtle tortoise
        🦎 lizard gecko iguana chameleon
        🐍 snake serpent python cobra viper
        🦖 dinosaur trex tyrannosaurus
        🦕 sauropod brontosaurus diplodocus
        🐉 dragon wyvern
        🐌 snail slug
        🐛 caterpillar worm
        🐜 ant
        🐞 ladybug ladybird beetle
        🦗 cricket grasshopper
        🕷️ spider tarantula
        🦂 scorpion
        🦀 crab
        🦞 lobster
        🧑 person human somebody someone
        👨 man guy gentleman fisherman sailor
        👩 woman lady
        👧 girl
        👦 boy kid child
        👶 baby infant toddler
        🧓 elder grandparent
        👴 grandfather grandpa oldman
        👵 grandmother grandma granny
        👮 policeman police officer cop
        👷 builder worker
        💂 guard soldier
        🕵️ detective spy
        🧑‍⚕️ doctor nurse
        🧑‍🍳 chef cook baker barista
        🧑‍🌾 farmer gardener
        🧑‍🎓 student graduate
        🧑‍🏫 teacher professor
        🧑‍💻 programmer coder developer hacker
        🧑‍🎤 singer rockstar
        🧑‍🎨 artist painter
        🧑‍🚀 astronaut cosmonaut spaceman
        🧑‍🚒 firefighter fireman
        🧑‍✈️ pilot aviator
        🧑‍🔬 scientist chemist
        🧑‍🔧 mechanic plumber
        🧑‍⚖️ judge
        👸 princess queen
        🤴 prince king
        🥷 ninja
        🏴‍☠️ pirate pirates
        🤺 knight swordsman
        🦸 superhero hero
        🦹 villain
        🧙 wizard witch mage sorcerer
        🧚 fairy pixie
        🧛 vampire dracula
        🧜 mermaid merman
        🧝 elf
        🧞 genie
        🧟 zombie
        🧌 troll ogre
        🤖 robot android cyborg droid mech
        👽 alien extraterrestrial
        👻 ghost spirit phantom
        💀 skull skeleton
        🎅 santa
        ⛄ snowman
        🤡 clown
        🧘 yogi meditation
        🏃 runner jogger
        💃 dancer ballerina
        🚶 walker hiker pedestrian
        🧗 climber
        🏄 surfer
        🏊 swimmer
        🚴 cyclist biker
        🏇 jockey
        ⛷️ skier
        🏂 snowboarder
        🤺 fencer
        🧑‍🤝‍🧑 couple friends
        👨‍👩‍👧 family
        🚗 car automobile sedan
        🚙 suv jeep
        🏎️ racecar
        🚕 taxi cab
        🚓 policecar
        🚑 ambulance
        🚒 firetruck
        🚐 van minivan
        🛻 pickup
        🚚 truck lorry
        🚛 trailer
        🚜 tractor
        🚌 bus coach
        🚎 trolleybus
        🚋 tram streetcar
        🚂 locomotive
        🚆 train railway
        🚇 subway metro underground
        🚄 shinkansen
        🚲 bicycle bike cycle
        🛴 scooter
        🛵 moped vespa
        🏍️ motorcycle motorbike
        🦽 wheelchair
        🛹 skateboard
        🛼 rollerskate
        🚦 trafficlight
        🚏 busstop
        ⛽ gas petrol
        🛒 cart trolley
        🌲 tree pine fir conifer evergreen spruce
        🌳 oak maple elm
        🌴 palm palmtree
        🌵 cactus cacti saguaro
        🌻 sunflower
        🌷 tulip
        🌹 rose roses
        🥀 wilted
        🌺 hibiscus
        🌸 blossom sakura cherryblossom
        🌼 daisy flower flowers bloom
        💐 bouquet
        🪻 hyacinth
        🪷 lotus lily waterlily
        🌾 wheat rice grain
        🌿 herb fern
        🍀 clover shamrock
        🍁 leaf leaves
        🍄 mushroom toadstool fungus
        🪴 houseplant plant
        🎍 bamboo
        🌱 seedling sprout
        🪨 rock boulder stone
        🪵 log wood timber firewood
        🔥 fire flame flames campfire bonfire
        🗿 statue moai monument
        ⛲ fountain
        ⛺ tent camp camping
        🎃 pumpkin jackolantern
        🎄 christmastree
        🪦 gravestone tombstone grave
        🏺 vase urn amphora
        ⛩️ shrine torii
        🎠 carousel
        🛝 slide playground
        🪁 swing
        🏕️ campsite
        🚪 door doorway
        🪑 chair seat
        🛋️ sofa couch
        🛏️ bed
        🚽 toilet
        🛁 bathtub bath
        🪞 mirror
        🧸 teddy teddybear plush
        🎁 gift
        📦 box package parcel crate
        🧳 suitcase luggage
        🎒 backpack rucksack
        🛢️ barrel drum
        🪣 bucket pail
        🧯 extinguisher
        ⚱️ funeral
        🗑️ bin trash garbage
        🎸 guitar
        🎹 piano keyboard
        🎻 violin fiddle cello
        🥁 drums
        🎺 trumpet horn
        🎷 saxophone sax
        🪕 banjo
        🪗 accordion
        🎤 microphone mic
        📻 radio
        📺 television tv
        💻 laptop computer notebook
        🖥️ monitor desktop
        🖨️ printer
        📷 camera
        🎥 moviecamera
        📱 phone smartphone cellphone
        ☎️ telephone
        ⌚ watch wristwatch
        ⏰ alarm clock
        ⌛ hourglass
        💡 lightbulb bulb
        🔦 flashlight torch
        🕯️ candle candles
        🪔 lamp oillamp lantern
        🏮 paperlantern
        🔑 key
        🗝️ oldkey
        🔒 lock padlock
        🔨 hammer
        🪓 axe hatchet
        ⛏️ pickaxe
        🔧 wrench spanner
        🪛 screwdriver
        🔩 nut
        ⚙️ gear cog
        🧲 magnet
        🪜 ladder
        🧰 toolbox
        🪚 saw
        ⚔️ swords
        🗡️ dagger sword blade
        🛡️ shield
        🏹 bow archery
        🔫 pistol gun
        💣 bomb
        🧨 firecracker dynamite
        🔭 telescope
        🔬 microscope
        🧪 testtube
        ⚗️ flask potion
        💊 pill medicine
        💉 syringe
        🩺 stethoscope
        🧬 dna
        📚 books library
        📕 book novel
        📖 openbook
        📜 scroll parchment
        📰 newspaper
        ✉️ envelope letter mail
        📮 mailbox postbox
        🖊️ pen
        🖌️ paintbrush brush
        🖍️ crayon
        📐 ruler
        ✂️ scissors
        📌 pin
        📎 paperclip
        🗺️ map
        🧭 compass
        🌐 globe
        🏆 trophy
        🏅 medal
        👑 crown tiara
        💍 ring
        💎 diamond gem jewel crystal
        💰 moneybag treasure
        🪙 coin coins
        💵 money cash banknote dollar
        💳 card creditcard
        ⚽ football soccer
        🏀 basketball
        🏈 rugby
        ⚾ baseball
        🎾 tennis
        🏐 volleyball
        🎱 billiards
        🏓 pingpong
        🏸 badminton
        🥊 boxing glove
        🎯 dart target bullseye
        🎳 bowling
        ⛳ golf
        🎣 fishing rod
        🎮 gamepad controller videogame
        🕹️ joystick arcade
        🎲 dice
        ♟️ chess pawn
        🧩 puzzle jigsaw
        🪀 yoyo
        🪆 doll matryoshka
        🎨 palette
        🧵 thread spool
        🧶 yarn wool
        👓 glasses spectacles
        🕶️ sunglasses
        👔 shirt tie
        👕 tshirt
        👖 jeans trousers pants
        👗 dress gown
        👘 kimono
        👙 bikini swimsuit
        🧥 coat jacket
        🧣 scarf
        🧤 gloves mittens
        🧦 socks
        👞 shoe shoes
        👟 sneaker sneakers trainers
        👠 heels
        👢 boot boots
        👒 sunhat
        🎩 tophat
        🧢 cap baseballcap
        ⛑️ helmet
        🎓 mortarboard
        👜 handbag purse bag
        🌂 umbrella parasol
        💼 briefcase
        🪖 militaryhelmet
        🥽 goggles
        🩴 sandals flipflops
        """,
    ),
    (
        "small",
        None,
        """
        🍎 apple apples
        🍏 greenapple
        🍐 pear
        🍊 orange tangerine mandarin
        🍋 lemon lime
        🍌 banana bananas
        🍉 watermelon melon
        🍇 grapes grape vineyard
        🍓 strawberry strawberries
        🫐 blueberry blueberries
        🍒 cherry cherries
        🍑 peach apricot
        🥭 mango
        🍍 pineapple
        🥥 coconut
        🥝 kiwi
        🍅 tomato tomatoes
        🍆 eggplant aubergine
        🥑 avocado
        🥦 broccoli
        🥬 lettuce cabbage kale
        🥒 cucumber pickle
        🌶️ chili pepper chilli
        🫑 bellpepper capsicum
        🌽 corn maize
        🥕 carrot carrots
        🧄 garlic
        🧅 onion
        🥔 potato potatoes
        🍠 yam
        🥐 croissant
        🥯 bagel
        🍞 bread loaf toast
        🥖 baguette
        🥨 pretzel
        🧀 cheese
        🥚 egg eggs
        🍳 omelette fryingpan
        🧈 butter
        🥞 pancakes pancake
        🧇 waffle waffles
        🥓 bacon
        🥩 steak meat
        🍗 drumstick
        🍖 ham
        🌭 hotdog sausage
        🍔 burger hamburger cheeseburger
        🍟 fries chips
        🍕 pizza
        🥪 sandwich
        🌮 taco tacos
        🌯 burrito wrap
        🥙 kebab gyro falafel
        🥗 salad
        🥘 paella stew
        🍲 soup hotpot
        🍝 spaghetti pasta noodles
        🍜 ramen pho udon
        🍛 curry
        🍣 sushi sashimi
        🍱 bento
        🥟 dumpling dumplings gyoza
        🍤 shrimp prawn tempura
        🍙 onigiri riceball
        🍚 bowl
        🍢 oden skewer
        🍡 dango
        🍦 icecream gelato
        🍧 shavedice
        🍨 sundae
        🍩 donut doughnut
        🍪 cookie cookies biscuit
        🎂 cake birthday
        🍰 cheesecake slice
        🧁 cupcake muffin
        🥧 pie tart
        🍫 chocolate
        🍬 candy sweets
        🍭 lollipop
        🍮 pudding flan custard
        🍯 honey
        🍼 bottle
        🥛 milk
        ☕ coffee espresso latte cappuccino mug cup
        🫖 teapot kettle
        🍵 tea matcha
        🧃 juice
        🥤 soda smoothie milkshake
        🧋 bubbletea boba
        🍶 sake
        🍺 beer ale lager
        🍷 wine
        🍸 cocktail martini
        🍹 mojito
        🥂 champagne
        🥃 whiskey whisky bourbon
        🧊 icecube
        🥄 spoon
        🍴 fork knife cutlery
        🥢 chopsticks
        🫕 fondue
        🍿 popcorn
        🥫 tin
        🧂 salt
        🍽️ plate dinner meal
        """,
    ),
    (
        "sky",
        None,
        """
        🐦 bird sparrow robin songbird
        🐤 canary
        🕊️ dove pigeon
        🦅 eagle hawk falcon
        🦜 parrot macaw
        🐦‍⬛ crow raven blackbird
        🪶 feather
        🦋 butterfly moth
        🐝 bee bumblebee honeybee wasp
        🪰 fly
        🪲 bug
        🦟 mosquito
        🪽 wings angel
        ✈️ airplane plane aeroplane jet airliner aircraft
        🛩️ biplane
        🚁 helicopter chopper
        🛸 ufo flyingsaucer spaceship starship
        🚀 rocket spacecraft shuttle
        🛰️ satellite
        🪂 parachute paraglider
        🎈 balloon balloons
        🪁 kite kites
        ☁️ cloud clouds
        🌈 rainbow
        ⭐ star
        🌟 glowingstar
        💫 comet
        🌠 shootingstar meteor
        ☄️ asteroid
        🌙 crescent
        🌕 fullmoon
        🌞 sunface
        🪐 saturn
        🌍 earth
        ⚡ lightning thunder bolt
        ❄️ snowflake snowflakes
        🌪️ tornado twister whirlwind
        🫧 bubbles bubble
        💧 raindrop droplet
        🎆 fireworks firework
        🫶 heart
        """,
    ),
    (
        "water",
        "water",
        """
        🐟 fish trout salmon carp
        🐠 goldfish clownfish tropicalfish
        🐡 pufferfish blowfish
        🦈 shark
        🐋 whale humpback
        🐳 bluewhale
        🐬 dolphin porpoise
        🦭 seal walrus sealion
        🐙 octopus squid kraken
        🦑 calamari
        🪼 jellyfish medusa
        🐚 shell seashell conch
        🪸 coral reef
        🦦 seaotter
        ⛵ sailboat yacht sail
        🚤 speedboat motorboat
        🛥️ cruiser
        🛳️ liner cruise
        ⛴️ ferry
        🚢 ship steamship ocean-liner vessel
        🛶 canoe kayak
        🚣 rowboat rowing
        ⚓ anchor
        🛟 lifebuoy buoy
        🏝️ island
        🏖️ beach-umbrella
        """,
    ),
    (
        "building",
        None,
        """
        🏠 house home cottage cabin hut
        🏡 farmhouse villa bungalow
        🏘️ houses village
        🏚️ ruin shack shed
        🏢 office skyscraper tower-block
        🏬 store mall shop
        🏣 postoffice
        🏥 hospital clinic
        🏦 bankbuilding
        🏨 hotel motel
        🏪 kiosk
        🏫 school
        🏛️ museum temple parthenon courthouse
        🏭 factory plant-works mill
        🏯 pagoda
        🏰 castle palace fortress
        💒 chapel wedding
        ⛪ church cathedral
        🕌 mosque
        🛕 hindu
        🕍 synagogue
        🗼 eiffel
        🗽 liberty
        🗻 fuji
        🏔️ mountain mountains alps summit
        🌋 volcano eruption
        🏟️ stadium arena colosseum
        🎡 ferris funfair
        🎢 rollercoaster
        🎪 circus
        🏗️ crane construction
        🛖 hut-house yurt igloo
        🪟 window windows
        🧱 brick bricks
        🕋 kaaba
        💈 barber barbershop
        🚥 signal
        """,
    ),
    (
        "ground",
        "sand",
        """
        🦂 desert-scorpion
        🐫 caravan
        """,
    ),
    (
        "ground",
        "snow",
        """
        🐧 emperor
        🛷 sled sledge sleigh toboggan
        🎿 skis ski
        ⛸️ iceskate skate skating
        """,
    ),
)


_PEOPLE: Final = frozenset(
    "🧑👨👩👧👦👶🧓👴👵👮👷💂🕵👸🤴🥷🦸🦹🧙🧚🧛🧜🧝🧞🧟🏃💃🚶🧗🏄🏊🚴🏇⛷🏂🤺🧘"
)


def _nouns() -> MappingProxyType[str, Noun]:
    """Build the read-only word -> ``Noun`` table (a word listed twice keeps its first entry)."""
    out: dict[str, Noun] = {}
    for place, ground, block in _TABLE:
        for line in block.strip().splitlines():
            glyph, *words = line.split()
            for word in words:
                if "-" in word:  # an internal alias that only documents a sense: skip it
                    continue
                out.setdefault(word, Noun(word, glyph, place, ground))
    return MappingProxyType(out)


#: Every drawable noun by word (singular; ``lookup`` also finds plurals).
NOUNS: Final = _nouns()

#: Colour words: name -> RGB in 0..1 (what "a red bicycle" paints the bicycle with).
COLOURS: Final = MappingProxyType(
    {
        "red": (0.86, 0.1, 0.12),
        "crimson": (0.72, 0.06, 0.2),
        "scarlet": (0.9, 0.14, 0.06),
        "ruby": (0.76, 0.04, 0.2),
        "maroon": (0.45, 0.05, 0.1),
        "orange": (0.98, 0.5, 0.08),
        "amber": (1.0, 0.68, 0.1),
        "yellow": (0.98, 0.86, 0.12),
        "gold": (0.92, 0.72, 0.16),
        "golden": (0.94, 0.74, 0.2),
        "green": (0.16, 0.66, 0.24),
        "emerald": (0.05, 0.6, 0.36),
        "jade": (0.2, 0.64, 0.45),
        "lime": (0.6, 0.88, 0.18),
        "olive": (0.5, 0.52, 0.16),
        "teal": (0.05, 0.55, 0.55),
        "turquoise": (0.18, 0.82, 0.76),
        "cyan": (0.1, 0.8, 0.92),
        "aqua": (0.2, 0.85, 0.9),
        "blue": (0.12, 0.34, 0.88),
        "azure": (0.2, 0.55, 0.95),
        "sapphire": (0.08, 0.22, 0.7),
        "navy": (0.06, 0.1, 0.42),
        "indigo": (0.28, 0.12, 0.6),
        "purple": (0.5, 0.16, 0.7),
        "violet": (0.56, 0.3, 0.86),
        "lavender": (0.7, 0.6, 0.92),
        "magenta": (0.88, 0.1, 0.72),
        "neon": (0.95, 0.15, 0.85),
        "pink": (0.98, 0.48, 0.7),
        "rose": (0.95, 0.4, 0.55),
        "brown": (0.5, 0.3, 0.14),
        "chocolate": (0.36, 0.2, 0.1),
        "tan": (0.78, 0.62, 0.42),
        "beige": (0.9, 0.84, 0.7),
        "white": (0.96, 0.96, 0.96),
        "ivory": (0.98, 0.96, 0.88),
        "silver": (0.76, 0.78, 0.82),
        "grey": (0.5, 0.5, 0.52),
        "gray": (0.5, 0.5, 0.52),
        "black": (0.08, 0.08, 0.09),
    }
)

#: Style words -> rendering style; they override the model's own style.
STYLES: Final = MappingProxyType(
    {
        **dict.fromkeys(("watercolour", "watercolor", "aquarelle", "gouache"), "watercolor"),
        **dict.fromkeys(("pixel", "pixelated", "8bit", "16bit", "sprite", "retro"), "pixel"),
        **dict.fromkeys(("oil", "painting", "painterly", "impasto", "canvas"), "painterly"),
        **dict.fromkeys(
            ("photo", "photograph", "photography", "photorealistic", "realistic", "dslr"),
            "photo",
        ),
        **dict.fromkeys(("35mm", "bokeh", "studio", "portrait", "macro"), "photo"),
        **dict.fromkeys(("sketch", "pencil", "charcoal", "drawing", "ink", "lineart"), "sketch"),
        **dict.fromkeys(("comic", "cartoon", "anime", "manga", "illustration"), "comic"),
        **dict.fromkeys(("cinematic", "film", "movie", "noir"), "cinematic"),
    }
)

#: Words that set the scene rather than name a subject: the setting (a backdrop instead of a
#: landscape) or the ground.  A colour bound to one of them paints that part of the scene.
SETTINGS: Final = MappingProxyType(
    {
        **dict.fromkeys(("wall", "walls", "brickwall", "graffiti", "alley"), "wall"),
        **dict.fromkeys(("studio", "background", "backdrop", "room", "indoors"), "studio"),
        **dict.fromkeys(("table", "desk", "kitchen", "counter", "tabletop"), "table"),
        **dict.fromkeys(("mars", "martian"), "mars"),
        **dict.fromkeys(("space", "galaxy", "orbit", "cosmos", "universe"), "space"),
        **dict.fromkeys(("sky", "skies"), "sky"),
    }
)

#: Weather words -> the effect painted over the scene.
WEATHER: Final = MappingProxyType(
    {
        **dict.fromkeys(("rain", "rainy", "raining", "storm", "stormy", "downpour"), "rain"),
        **dict.fromkeys(("snowing", "snowfall", "blizzard", "snowy"), "snow"),
        **dict.fromkeys(("fog", "foggy", "mist", "misty", "haze", "hazy"), "fog"),
    }
)

#: Words that say how many of the next subject to draw.
COUNTS: Final = MappingProxyType(
    {"two": 2, "pair": 2, "couple": 2, "three": 3, "four": 4, "five": 5, "several": 3}
    | dict.fromkeys(("many", "group", "flock", "herd", "pack", "crowd", "lots"), 4)
)


def lookup(word: str) -> tuple[Noun, bool] | None:
    """The noun ``word`` names and whether it was a plural, or None when it names none."""
    noun = NOUNS.get(word)
    if noun is not None:
        return noun, False
    for suffix, repl in (("ies", "y"), ("ves", "f"), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            noun = NOUNS.get(word[: -len(suffix)] + repl)
            if noun is not None:
                return noun, True
    return None
