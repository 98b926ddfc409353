"""Is this message clearly written in a language other than English?

The assistant understands English only: its encoder, rules and replies are English.
A patient or caregiver writing in Spanish, Vietnamese, Chinese... may be describing an
emergency the assistant cannot read, so triage treats a clearly non-English message as a
possible emergency (a staff member reads it; the reply carries the 911 line in English and
Spanish). Mostly-English, misspelt, shorthand or one-foreign-word messages are not flagged.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections import Counter
from functools import lru_cache

__all__ = ["detect_language", "SPANISH_EMERGENCY_LINE"]

SPANISH_EMERGENCY_LINE = (
    "Si es una emergencia, llame al 911 ahora. Si tiene pensamientos de hacerse daño, "
    "llame o envíe un mensaje de texto al 988."
)

# Only the first characters are read: a language shows itself early, and the time stays flat.
MAX_CHARS = 600
MIN_TOKENS = 3  # fewer word tokens than this: undecidable ("ok", "si", "gracias!")
MIN_HITS = 2  # the winning language needs at least this many function-word hits
MIN_SCORE = 1.5  # ... worth this much once shared words are split ("le", "tu": fr/es/it)
MIN_MARGIN = 2  # ... and this many more than English
ENGLISH_RATIO = 2.0  # ... and at least this many times the English hits
MIN_TOKEN_SHARE = 0.4  # ... and this share of all word tokens
NAME_MAX_TOKENS = 4  # "Tran Thi Mai", "Ana de la Rosa": a short all-Title-Case message is a name
SCRIPT_MIN_LETTERS = 2  # a non-Latin script needs at least this many letters
SCRIPT_MIN_SHARE = 0.5  # ... and most of the (weighted) letters

# --------------------------------------------------------------------------------------------
# Scripts other than Latin: (first code point, last code point, script).
# --------------------------------------------------------------------------------------------
_SCRIPT_RANGES: tuple[tuple[int, int, str], ...] = (
    (0x0370, 0x03FF, "greek"),
    (0x0400, 0x052F, "cyrillic"),
    (0x0530, 0x058F, "armenian"),
    (0x0590, 0x05FF, "hebrew"),
    (0x0600, 0x06FF, "arabic"),
    (0x0750, 0x077F, "arabic"),
    (0x08A0, 0x08FF, "arabic"),
    (0x0900, 0x097F, "devanagari"),
    (0x0980, 0x09FF, "bengali"),
    (0x0A00, 0x0A7F, "gurmukhi"),
    (0x0A80, 0x0AFF, "gujarati"),
    (0x0B80, 0x0BFF, "tamil"),
    (0x0C00, 0x0C7F, "telugu"),
    (0x0C80, 0x0CFF, "kannada"),
    (0x0D00, 0x0D7F, "malayalam"),
    (0x0D80, 0x0DFF, "sinhala"),
    (0x0E00, 0x0E7F, "thai"),
    (0x0E80, 0x0EFF, "lao"),
    (0x1000, 0x109F, "myanmar"),
    (0x10A0, 0x10FF, "georgian"),
    (0x1100, 0x11FF, "hangul"),
    (0x1200, 0x139F, "ethiopic"),
    (0x1780, 0x17FF, "khmer"),
    (0x1F00, 0x1FFF, "greek"),
    (0x3040, 0x30FF, "kana"),
    (0x3130, 0x318F, "hangul"),
    (0x31F0, 0x31FF, "kana"),
    (0x3400, 0x4DBF, "han"),
    (0x4E00, 0x9FFF, "han"),
    (0xAC00, 0xD7AF, "hangul"),
    (0xF900, 0xFAFF, "han"),
    (0xFB1D, 0xFB4F, "hebrew"),
    (0xFB50, 0xFDFF, "arabic"),
    (0xFE70, 0xFEFF, "arabic"),
    (0xFF66, 0xFF9F, "kana"),
    (0x20000, 0x2FA1F, "han"),
)
_SCRIPT_STARTS: tuple[int, ...] = tuple(r[0] for r in _SCRIPT_RANGES)

_SCRIPT_LANGUAGE: dict[str, str] = {
    "greek": "el",
    "cyrillic": "ru",
    "armenian": "hy",
    "hebrew": "he",
    "arabic": "ar",
    "devanagari": "hi",
    "bengali": "bn",
    "gurmukhi": "pa",
    "gujarati": "gu",
    "tamil": "ta",
    "telugu": "te",
    "kannada": "kn",
    "malayalam": "ml",
    "sinhala": "si",
    "thai": "th",
    "lao": "lo",
    "myanmar": "my",
    "georgian": "ka",
    "hangul": "ko",
    "ethiopic": "am",
    "khmer": "km",
    "kana": "ja",
    "han": "zh",
}
# A Chinese character or Hangul syllable carries about a word: weigh it like a short word's letters.
_SCRIPT_WEIGHT: dict[str, float] = {"han": 3.0, "kana": 1.5, "hangul": 3.0}

_UKRAINIAN = frozenset("іїєґІЇЄҐ")
_URDU = frozenset("ٹڈڑںےۓھ")
_PERSIAN = frozenset("پچژگکی")

# --------------------------------------------------------------------------------------------
# Latin-script languages: very frequent function words, pronouns, common verbs and the
# commonest words of a pain-clinic message, written without accents (matching folds accents).
# A word English also uses ("a", "me", "no", "in", "do", "as") votes for no language at all.
# --------------------------------------------------------------------------------------------
_ENGLISH = frozenset(
    """
i you u he she it we they me my mine your ur yours his her hers its our ours their them him us
myself yourself the a an and n or but if so because bc cuz cause of to in on at for with w from by
about into up down out over after before than then when where what wat why how who which that
this these those there here is am are was were be been being do does did done doing have has had
having will would can could should shall may might must not no nope yes yeah yep ya ok okay k
please pls plz thanks thank thx ty hi hello hey just very really too also still now today tomorrow
yesterday tonight again any some all more much many most get gets got go goes going went gone need
needs want wants know think feel feels feeling felt like help call called take took make made let
see saw say said tell told come came give gave keep put wont dont cant im ive id isnt arent didnt
doesnt wasnt werent hasnt havent couldnt wouldnt shouldnt thats whats its youre theyre idk lol
omg btw asap ha haha um uh oh ah hmm well back off only even never always since until while
pump pain refill doctor dr nurse appointment appt medicine meds med fever hurts hurt hurting wife
husband mom mum mother dad father son daughter wake woke breathing breathe breath bad worse better
good new time day days week night morning afternoon evening little lot bit every one two three
pt pts sat site bid prn doc maam sorry wrong right message text phone chat thing sure maybe
fine great nice sleep eat stop try use look ask wait bring send hour hours home pills dose clinic
pharmacy prescription insurance alarm beeping catheter person talk speak understand above across
against almost already although another anyone anything anyway around both cannot due during each
either else enough ever everyone everything except few first four five six seven eight nine ten
further herself himself however itself last less next nobody none nor nothing often once other
others own per perhaps quite rather same seem seems several someone something sometimes such though
through together toward under unless upon used using whether whole whom whose within without yet
""".split()
)

_SPANISH = frozenset(
    """
el la los las un una unos unas lo le les de del al y o u pero porque por para con en que quien
quienes cual cuales como cuando donde adonde cuanto cuanta cuantos cuantas es esta estan estoy
estas estamos soy eres somos fue era eran ser estar estado estaba hay ha han hemos has habia tiene
tengo tienes tienen tenemos tenia tuvo puede puedo pueden podemos podria necesito necesita
necesitamos quiero quiere queremos mi mis tu tus su sus nuestro nuestra yo ella ellos ellas
nosotros usted ustedes te se nos muy mas menos mucho mucha muchos muchas poco poca ya todavia
tambien nunca siempre hoy manana ayer ahora aqui alli ahi si gracias hola favor ayuda ayudame
ayudar dolor duele duelen fiebre bomba medicina medicamento medicamentos receta cita medico
enfermera mama papa esposo esposa marido hijo hija abuela abuelo hermano hermana despierta
despertar respira respirar dormido dormida eso esto ese esa este estos otra otro todo toda todos
hace hacer dias dia semana noche senora senor llamar llame llamo voy va vamos van bueno buena
buenas buenos tardes alto alta fuerte sangre herida roja rojo caliente frio fria vomito vomitando
mareado mareada cabeza espalda pierna piernas cuerpo sale salio algo nada nadie q xq pq porq tmb
responde contesta habla hablar siente siento sentir camina duerme dormir sabe cayo pasa pasando
viene vengo vino tomar toma tomo
asi vez veces vida vivir vivo vive pienso pensar creo cree quitar quitarme acabar acabo acaba seguir sigo
sola solo cansada cansado triste miedo ayudeme llamen ambulancia urgente
labios lengua garganta tragar hinchazon hinchado hinchada hinchados cuesta cara torcida torcido brazo brazos
mueve mover derrame desaparecer aguanto aguantar ganas matarme morir morirme muerte pecho convulsion
convulsiones convulsionando sangrando sangra orinar cuello rigido rigida luz ojos desmayo desmayado desmayada
presion corazon latidos picazon comezon sudor sudando temblor temblando espasmos confundido confundida
puede respirando respiracion labio ahogando ahoga inconsciente pastillas sobredosis herida pus
""".split()
)

_PORTUGUESE = frozenset(
    """
o os um uma uns umas de da das dos em na nas nos ao aos e ou mas porque por para pra com sem que
quem qual quais como quando onde quanto quanta quantos esta estao estou estamos sou somos ser estar
estava foi era eram tem tenho temos tinha tive pode posso podemos preciso precisa precisamos
quero quer queremos meu minha meus minhas seu sua seus suas nosso nossa eu ele ela eles elas voce
voces lhe te se muito muita muitos muitas mais menos pouco pouca ja ainda tambem nunca sempre
hoje amanha ontem agora aqui ali sim nao obrigado obrigada ola oi favor ajuda ajudar dor febre
bomba remedio remedios medicamento receita consulta medico enfermeira mae pai marido esposa filho
filha avo irmao irma acorda acordar respira respirando respirar dormindo isso isto esse essa este
todo toda tudo faz fazer dia dias semana noite senhor senhora vai vou vamos bem mal sangue ferida
vermelha vermelho quente frio fria cabeca costas perna corpo alguem nada ninguem ta tava fala
falar sente sinto dorme dormir sabe passa passando vem venho tomar toma tomou
""".split()
)

_FRENCH = frozenset(
    """
je tu il elle nous vous ils elles le la les un une des du de et ou mais donc que qui quoi ne pas
est suis es sont sommes etes ai as avons avez ont fait faire mon ma mes ton ta tes sa ses notre
votre vos leur leurs ce cette ces cet au aux avec pour par dans sur sous chez sans tres bien mal
aussi encore toujours jamais rien tout tous toute comment pourquoi quand combien oui non merci
bonjour bonsoir aide aidez aider besoin douleur douleurs fievre pompe medecin docteur ordonnance
rendez infirmiere mere pere mari femme fils fille reveille reveiller respire respirer peut peux
pouvez veux veut voulez dois doit va vais allez ete etait avait y en te se lui eux moi toi hier
aujourdhui demain maintenant depuis beaucoup peu ca cela ceci voila quelquun quelque sang plaie rouge
chaud froid tete dos jambe corps mal depuis svp stp c' j' l' d' n' qu' s' m' t' jusqu' lorsqu'
""".split()
)

_ITALIAN = frozenset(
    """
il lo la gli le un uno una di del della dello dei degli delle al allo alla ai agli alle da dal
dalla dai nel nello nella nei con su sul sulla per tra fra e ed o ma perche che chi cosa quando
dove quanto quanta quanti non si sono sei siamo siete era erano stato stata ho hai ha abbiamo
avete hanno avevo aveva mio mia miei mie tuo tua suo sua nostro nostra io tu lui lei noi voi loro
mi ti ci vi ne molto molta molti piu meno poco gia ancora anche mai sempre oggi domani ieri adesso
ora qui qua li grazie ciao buongiorno buonasera aiuto aiutare aiutami prego dolore dolori febbre
pompa medicina farmaco farmaci ricetta appuntamento medico dottore infermiera madre padre mamma
papa marito moglie figlio figlia nonna nonno fratello sorella sveglia svegliare respira respirare
questo questa quello quella tutto tutti fa fare giorno giorni settimana notte signora signore
vado bene male sangue ferita rossa rosso caldo freddo testa schiena gamba corpo posso puo puoi
devo deve voglio vuole bisogno qualcosa niente nessuno sta sto stai c' l' dell' nell' all' un'
sull' dall' po'
""".split()
)

_DUTCH = frozenset(
    """
de het een en of maar want dat die deze dit wat wie waar waarom wanneer hoe ik je jij jou jouw
hij zij ze wij jullie hem haar ons onze mijn zijn uw niet geen wel ook nog al er naar van op te
bij met voor uit aan door over om tot sinds zonder heb hebt heeft hebben had hadden ben bent wordt
worden werd kan kunt kunnen moet moeten mag mogen zal zou wil wilt gaat ga gaan doet doen dank
bedankt alstublieft alsjeblieft graag heel erg veel zeer vandaag morgen gisteren nu hier daar pijn
koorts pomp moeder vader vrouw zoon dochter oma opa wakker ademt ademen medicijn medicijnen
recept dokter arts verpleegkundige ziekenhuis afspraak hulp helpen bloed wond rood warm koud hoofd
rug been lichaam iets niets niemand dag dagen week nacht meneer mevrouw goed slecht
""".split()
)

_GERMAN = frozenset(
    """
ich du er sie es wir ihr mich mir dich dir ihn ihm uns euch mein meine meinen meiner meinem dein
deine sein seine seinen ihre ihren unser unsere der das den dem des ein eine einen einem einer und
oder aber weil dass dass wenn ob als wie wo wer warum wann nicht kein keine keinen nur auch noch
schon sehr viel viele mehr immer heute morgen gestern jetzt hier da dort ja nein bitte danke hallo
ist sind bin bist war waren hat habe hast haben hatte hatten wird werden kann kannst konnen muss
mussen soll sollte mochte brauche braucht brauchen mit von zu zum zur bei nach aus auf fur uber
unter vor seit ohne gegen durch im vom ins schmerzen schmerz fieber pumpe arzt arztin arzte
rezept termin hilfe helfen mutter vater mann frau sohn tochter oma opa wacht aufwachen atmet atmen
tut weh wunde heiss kalt blut kopf rucken bein medikament medikamente nachfullung krankenhaus
notaufnahme schlecht sich etwas nichts alles niemand dieser diese dieses gibt geht gehen tage tag
woche nacht herr guten tag dringend
""".split()
)

_TAGALOG = frozenset(
    """
ang ng sa mga na ay si ni kay ako ko mo siya sya niya nya kami tayo namin natin amin atin sila
nila kayo ninyo nyo ito iyan iyon yan yun dito diyan doon hindi di oo po opo naman nmn lang lng
din rin pa ba nga kasi ksi pero kung may mayroon meron wala walang gusto ano sino saan kailan
bakit paano ilan yung ung nang para sakit masakit lagnat gamot tulong tulungan nanay tatay asawa
anak lola lolo kapatid gising magising gumigising humihinga paghinga ayaw kailangan salamat
talaga ngayon bukas kahapon kanina mataas ospital doktor sobra dugo sugat pula mainit malamig ulo
likod binti katawan ba bang pong kong mong niyang siyang akong
""".split()
)

_VIETNAMESE = frozenset(
    """
toi ban anh chi em co khong ko la cua va nhung cho duoc bi rat nay thi se da dang roi voi mot
nhieu lam gi sao nao dau benh thuoc ong con chong vo sot om giup xin cam on oi nha nhe di den ve
tai khi neu phai muon biet nguoi ngu day thuc tho bac si vien hom mai qua lai ra vao len xuong het
bao gio ngay dem hay cung nhu minh chau me bo nguoi mau vet thuong dang
""".split()
)

_LANGUAGE_WORDS: dict[str, frozenset[str]] = {
    "es": _SPANISH,
    "pt": _PORTUGUESE,
    "fr": _FRENCH,
    "it": _ITALIAN,
    "nl": _DUTCH,
    "de": _GERMAN,
    "tl": _TAGALOG,
    "vi": _VIETNAMESE,
}

# Words common in English text and in another language, or in English messages with another
# sense ("ER" the emergency room, German "er"): they vote for no language at all.
_AMBIGUOUS = frozenset(
    """
a no in do as so is was will an am at he me die son come pie sin man hat also mama papa ma ha er
favor aide mon ton male door warm met van bang vet mag tot rat fare ed bent sale par pour comment
corps arts rug era den tag cam con
""".split()
)
_NEUTRAL: frozenset[str] = _AMBIGUOUS | frozenset(
    word for words in _LANGUAGE_WORDS.values() for word in words if word in _ENGLISH
)
_ENGLISH_VOTES: frozenset[str] = _ENGLISH - _NEUTRAL
# word -> the languages it votes for (a word several languages share splits its vote)
_LEXICON: dict[str, tuple[str, ...]] = {}
for _lang, _list in _LANGUAGE_WORDS.items():
    for _word in _list:
        if _word not in _NEUTRAL:
            _LEXICON[_word] = _LEXICON.get(_word, ()) + (_lang,)
del _lang, _list, _word
# Particles inside a person's name ("Ana de la Rosa", "Dr. van der Berg", "Maria dos Santos").
_NAME_PARTICLES = frozenset("de la las los del da das do dos di du le van von der den ten ter".split())

# Letters that mark a word as written in one language, whatever the word lists say.
_MARKS: dict[str, frozenset[str]] = {
    "vi": frozenset("ăđơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹĩũ"),
    "es": frozenset("ñ"),
    "pt": frozenset("ãõ"),
    "de": frozenset("ßäöü"),
}
_SPANISH_PUNCTUATION = frozenset("¿¡")
# Endings of verb forms with a pronoun attached, gerunds and derived nouns, accent-folded,
# longest first; English words that end so ("commando", "sparse") are rare, and one word
# alone never decides a message.
# fmt: off
_ENDINGS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("armelo", ("es",)), ("irmelo", ("es",)), ("iendo", ("es",)), ("arme", ("es",)), ("erme", ("es",)),
    ("irme", ("es",)), ("arte", ("es",)), ("arse", ("es", "it")), ("erse", ("es",)), ("irse", ("es",)),
    ("andome", ("es",)), ("ciones", ("es",)), ("cion", ("es",)), ("zione", ("it",)), ("cao", ("pt",)),
    ("mente", ("es", "it", "pt")), ("ando", ("es", "it", "pt")), ("ndo", ("es", "it", "pt")),
)
# fmt: on
_FRENCH_ELISIONS = frozenset({"c", "j", "l", "d", "n", "qu", "s", "m", "t", "jusqu", "lorsqu"})
_ITALIAN_ELISIONS = frozenset({"c", "l", "dell", "nell", "all", "un", "sull", "dall"})
_FOLD = str.maketrans({"đ": "d", "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l"})

_TOKEN_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)*['’]?")
# Links, e-mail addresses, @handles and #tags (anchored at a word start, so linear in length).
_NOISE_RE = re.compile(r"(?:https?://|www\.)\S+|(?<!\S)[^\s@]+@\S+|[@#]\w+", re.IGNORECASE)
_DIGIT_RE = re.compile(r"\d")
_APOSTROPHE_RE = re.compile(r"['’]")


def _fold(word: str) -> str:
    """Lower-case word without accents: "está" -> "esta", "đau" -> "dau", "daß" -> "dass"."""
    if word.isascii():
        return word
    decomposed = unicodedata.normalize("NFD", word.translate(_FOLD))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=16384)
def _vote(word: str) -> tuple[str, tuple[str, ...], bool]:
    """(accent-folded word, languages it votes for, whether it votes for English).

    A letter only one language writes (ñ, ã, ß, ơ...) decides the word's language; otherwise
    the folded word is looked up in the word lists."""
    folded = _fold(word)
    if not word.isascii():
        marked = tuple(lang for lang, letters in _MARKS.items() if not letters.isdisjoint(word))
        if marked:
            return folded, ("vi",) if "vi" in marked else marked, False
    if folded in _ENGLISH_VOTES:
        return folded, (), True
    listed = _LEXICON.get(folded, ())
    if listed or len(folded) < 5 or folded in _ENGLISH:
        return folded, listed, False
    # Word forms no word list can hold: "quitarme", "respirando", "sangrando",
    # "inflamación". An ending only Romance words have votes for the languages that use it.
    return folded, next((langs for ending, langs in _ENDINGS if folded.endswith(ending)), ()), False


def _words(text: str) -> tuple[list[str], list[bool]]:
    """Word tokens, lower-case with accents kept, and whether each was Title-Case ("Rosa",
    not "ROSA" or "rosa"). A French/Italian elision becomes its own token ("j'ai" -> "j'",
    "ai"); English contractions lose the apostrophe ("don't" -> "dont"); tokens with digits
    ("SpO2", "q4h", "2L") are not words."""
    words: list[str] = []
    titles: list[bool] = []
    for token in _TOKEN_RE.findall(text):
        if token.isalpha():
            words.append(token.lower())
            titles.append(token.istitle())
            continue
        if _DIGIT_RE.search(token):
            continue
        title = token.istitle()
        parts = _APOSTROPHE_RE.split(token.lower())
        head = _fold(parts[0])
        rest = [p for p in parts[1:] if p]
        if rest and (head in _FRENCH_ELISIONS or head in _ITALIAN_ELISIONS):
            words.append(head + "'")
            titles.append(title)
            words.extend(rest)
            titles.extend([False] * len(rest))
        else:
            words.append("po'" if head == "po" and not rest else "".join(parts))
            titles.append(title)
    return words, titles


def _is_unknown_name(word: str, title: bool) -> bool:
    if not title:
        return False
    folded = _vote(word)[0]
    return folded not in _LEXICON and folded not in _ENGLISH and folded not in _NEUTRAL


def _is_name(words: list[str], titles: list[bool]) -> bool:
    """A short message of Title-Case words (and name particles), one of them no known word."""
    return (
        len(words) <= NAME_MAX_TOKENS
        and titles[0]
        and all(title or word in _NAME_PARTICLES for word, title in zip(words, titles, strict=False))
        and any(_is_unknown_name(word, title) for word, title in zip(words, titles, strict=False))
    )


def _without_name_particles(words: list[str], titles: list[bool]) -> list[str]:
    """The words without particles between two Title-Case unknown words ("Ana de la Rosa")."""
    if _NAME_PARTICLES.isdisjoint(words) or not any(titles):
        return words
    skip: set[int] = set()
    i = 0
    while i < len(words):
        if words[i] not in _NAME_PARTICLES:
            i += 1
            continue
        j = i
        while j < len(words) and words[j] in _NAME_PARTICLES:
            j += 1
        if (
            i > 0
            and j < len(words)
            and _is_unknown_name(words[i - 1], titles[i - 1])
            and _is_unknown_name(words[j], titles[j])
        ):
            skip.update(range(i, j))
        i = j
    return [word for index, word in enumerate(words) if index not in skip] if skip else words


def _script_of(char: str) -> str | None:
    index = bisect_right(_SCRIPT_STARTS, ord(char)) - 1
    if index >= 0 and ord(char) <= _SCRIPT_RANGES[index][1]:
        return _SCRIPT_RANGES[index][2]
    return None


def _script_language(text: str) -> str | None:
    """The language of a non-Latin script most of the letters are written in, if any."""
    latin = 0.0
    scripts: dict[str, float] = {}
    letters: dict[str, int] = {}
    for char, count in Counter(text).items():
        if not char.isalpha():
            continue
        script = _script_of(char) if ord(char) >= 0x370 else None
        if script is None:
            latin += count
        else:
            scripts[script] = scripts.get(script, 0.0) + count * _SCRIPT_WEIGHT.get(script, 1.0)
            letters[script] = letters.get(script, 0) + count
    if not scripts:
        return None
    # Japanese mixes kanji with kana; Chinese has none (or a stray "の" in a shop's name)
    if "han" in scripts and "kana" in scripts and 10 * letters["kana"] >= letters["han"]:
        scripts["kana"] += scripts.pop("han")
        letters["kana"] += letters.pop("han")
    script = max(scripts, key=scripts.__getitem__)
    total = latin + sum(scripts.values())
    if letters[script] < SCRIPT_MIN_LETTERS or scripts[script] < SCRIPT_MIN_SHARE * total:
        return None
    if script == "cyrillic" and not _UKRAINIAN.isdisjoint(text):
        return "uk"
    if script == "arabic":
        if not _URDU.isdisjoint(text):
            return "ur"
        if not _PERSIAN.isdisjoint(text):
            return "fa"
    return _SCRIPT_LANGUAGE[script]


def _latin_language(text: str) -> str | None:
    words, titles = _words(text)
    if len(words) < MIN_TOKENS or _is_name(words, titles):
        return None
    tokens = len(words)
    english = 0
    hits: dict[str, int] = dict.fromkeys(_LANGUAGE_WORDS, 0)
    score: dict[str, float] = dict.fromkeys(_LANGUAGE_WORDS, 0.0)
    distinct: dict[str, set[str]] = {lang: set() for lang in _LANGUAGE_WORDS}
    for word, count in Counter(_without_name_particles(words, titles)).items():
        folded, langs, is_english = _vote(word)
        if is_english:
            english += count
        elif langs:
            share = count / len(langs)
            for lang in langs:
                hits[lang] += count
                score[lang] += share
                distinct[lang].add(folded)
    if not _SPANISH_PUNCTUATION.isdisjoint(text):
        hits["es"] += 1
        score["es"] += 1.0
    best = max(score, key=lambda lang: (score[lang], hits[lang]))
    found = hits[best]
    if (
        len(distinct[best]) >= MIN_HITS  # "gracias gracias gracias" is one word, thrice
        and found >= MIN_HITS
        and score[best] >= MIN_SCORE
        and found - english >= MIN_MARGIN
        and found >= ENGLISH_RATIO * english
        and found >= MIN_TOKEN_SHARE * tokens
    ):
        return best
    return None


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the language ``text`` is clearly written in, if that is not English.

    None for English, for mostly-English messages (typos, texting shorthand, clinical
    shorthand, one foreign word or name) and for anything too short to tell ("ok", "si",
    numbers, emoji).
    """
    if not text:
        return None
    text = text[:MAX_CHARS]
    if "@" in text or "#" in text or "://" in text or "www." in text.lower():
        text = _NOISE_RE.sub(" ", text)
    if not text.isascii():
        found = _script_language(text)
        if found is not None:
            return found
    return _latin_language(text)
