"""Language detection: a message clearly not in English is flagged; English in all its forms is not."""
from __future__ import annotations

import time

import pytest

from pump_assistant.triage.language import SPANISH_EMERGENCY_LINE, detect_language

NON_ENGLISH = [
    # Spanish
    ("Mi esposo tiene la bomba de morfina y no se despierta, respira muy lento", "es"),
    ("Hola, necesito una cita para llenar la bomba, ya está sonando la alarma", "es"),
    ("¿Cuándo me toca el rellenado de la bomba? Me duele mucho la espalda", "es"),
    ("mi mamá tiene fiebre alta y la herida de la bomba está roja y caliente", "es"),
    ("no puedo despertar a mi papá, por favor ayuda", "es"),
    ("Buenas tardes, soy la hija de la señora Gómez, ella tiene mucho dolor desde ayer", "es"),
    ("hola q tal, mi abuela tiene dolor de cabeza muy fuerte y vomito", "es"),
    ("la pump de mi esposo está pitando y él tiene mucho dolor", "es"),
    # German
    ("Meine Mutter hat die Schmerzpumpe und wacht nicht mehr auf", "de"),
    ("Ich habe seit gestern Fieber und die Wunde an der Pumpe ist rot", "de"),
    ("Wann kann ich einen Termin für die Nachfüllung bekommen?", "de"),
    # French
    ("Bonjour, ma mère a une pompe à morphine et elle ne se réveille pas", "fr"),
    ("J'ai de la fièvre depuis hier et la plaie est rouge, c'est grave ?", "fr"),
    ("Quand est-ce que je peux avoir mon rendez-vous pour remplir la pompe ?", "fr"),
    # Portuguese
    ("Minha mãe tem a bomba de morfina e hoje ela não acorda", "pt"),
    ("Estou com muita dor nas costas e febre desde ontem, o que eu faço?", "pt"),
    ("Preciso marcar uma consulta para recarregar a bomba, o alarme está tocando", "pt"),
    # Italian
    ("Mio padre ha la pompa per il dolore e non si sveglia, respira pochissimo", "it"),
    ("Ho la febbre alta da ieri e la ferita è rossa, cosa devo fare?", "it"),
    ("Buongiorno, quando posso prendere un appuntamento per la ricarica della pompa?", "it"),
    # Dutch
    ("Mijn vader heeft een pijnpomp en hij wordt niet wakker", "nl"),
    # short caregiver messages
    ("Ayuda por favor mi esposo no responde", "es"),
    ("Socorro meu marido não acorda", "pt"),
    ("Au secours mon mari ne se réveille pas", "fr"),
    ("Hilfe mein Mann wacht nicht auf", "de"),
    ("Aiuto mio marito non si sveglia", "it"),
    ("Mi Mamá No Despierta", "es"),
    # Vietnamese (with and without tone marks)
    ("Mẹ tôi có máy bơm thuốc giảm đau và bà không tỉnh dậy", "vi"),
    ("Tôi bị sốt cao và vết mổ chỗ máy bơm bị đỏ", "vi"),
    ("Con gái tôi bị sốt", "vi"),
    ("toi bi dau lung qua, khi nao toi duoc bom thuoc lai", "vi"),
    # Tagalog (including Taglish)
    ("Yung nanay ko po may pump, hindi siya magising at mabagal ang paghinga", "tl"),
    ("Kailan po ang refill ng pump ko? Masakit na po ang likod ko", "tl"),
    ("May lagnat ako at namumula yung sugat sa tabi ng pump", "tl"),
    # Chinese
    ("我妈妈有止痛泵，她叫不醒了，呼吸很慢", "zh"),
    ("我的泵在报警，什么时候可以来加药？", "zh"),
    # Arabic
    ("أمي لديها مضخة المورفين ولا تستيقظ، تتنفس ببطء", "ar"),
    ("عندي حمى والجرح حول المضخة أحمر", "ar"),
    # Russian (one with a Latin drug name inside)
    ("У моего мужа помпа с морфином, он не просыпается и плохо дышит", "ru"),
    ("Когда можно записаться на заправку помпы? У меня сильная боль", "ru"),
    ("Мне нужен рецепт на Dilaudid, боль очень сильная", "ru"),
    # Other scripts, including one- and two-character cries for help
    ("救命", "zh"),
    ("Помогите пожалуйста", "ru"),
    ("أحتاج مساعدة", "ar"),
    ("우리 어머니가 펌프가 있는데 깨어나지 않아요", "ko"),
    ("母が痛み止めのポンプを使っていて、目を覚ましません", "ja"),
    ("मेरी माँ को बुखार है और पंप के पास लाल है", "hi"),
]

ENGLISH = [
    # plain English
    "When is my next pump refill appointment?",
    "My husband has the pain pump and I can't wake him up, he's barely breathing",
    "Can I take Tylenol with the pump?",
    "The numbness in my legs is worse since the dose went up",
    "I'm having a lot of pain in my lower back and legs, worse at night",
    "is it normal for the pump to alarm at night? it beeped 3 times",
    "we went to the ER last night, they said the catheter may be kinked",
    "My dad's at the VA, can they refill his pump there?",
    "Are you an AI or a real person?",
    "Come quick, she won't wake up",
    "I feel like I'm going to die, the pain is unbearable",
    "no no no the alarm keeps going off",
    "me and my sister are coming at 2",
    "my son has a fever of 101 and the pump site is warm",
    "I’m not sure if it’s the pump or my phone",
    "Yes please, Tuesday at 3pm works",
    "ER said to follow up with you, they gave her narcan",
    "I met with the nurse on Mon, the home health aide comes on Tue",
    "a ton of pain today, the site is warm to touch",
    "I want to die",
    "Dr. Ng said the pump looks fine",
    # typos
    "i hav a fevr and my pmp site is red n swollen",
    "my husbnd wont wake up and hes breathng real slow",
    "Need refil, pump says low reservor",
    # text-message shorthand
    "u r the best, thx",
    "pls call me back asap",
    "idk if the pump is beeping or my phone lol",
    "can u send the rx to cvs on main st",
    "Im so sorry to bother u again but my back is killing me",
    "ha ha ok thanks",
    # non-native English
    "my wife she have pump, the wound is red little",
    "my mother she not wake up since morning, pump give medicine",
    "She is very sleepy and confuse, she not eat since yesterday",
    "He no breathing good, very slow, lips blue",
    # clinical shorthand
    "pt RR 8 SpO2 86% on 2L NC, pinpoint pupils",
    "pt on morphine IT 2.5 mg/day, refill due 3/14, no new complaints",
    "post op day 3, incision looks ok, some pain",
    "po meds not helping, can we increase the pump dose",
    "pt AAOx3, NAD, site c/d/i, s/p pump replacement",
    "My PA said to take it po with food",
    # one foreign word, a name, a greeting
    "Ana de la Rosa",
    "Tran Thi Mai",
    "Le Van Tu",
    "Sr. Juan Carlos de la Torre",
    "Im ok now. Gracias por todo!",
    "Buenos dias! Can I move my appt to Friday?",
    "Happy new year! Feliz año nuevo to the whole team",
    "gracias! when is my refill",
    "my abuela has the pump, when is her refill",
    "Muchas gracias for your help today!",
    "Hola, I need to reschedule my appointment",
    "My husband José Muñoz has the pump, can he come in on Monday?",
    "This is Maria de la Cruz, calling about my mother's refill",
    "Hi, this is Nguyễn Văn Thành, I need my refill",
    "Thank you Dr. Van der Berg",
    "Bueno, see you tomorrow at 10",
    "Danke, that was very helpful",
    "ok gracias señora",
    "my mom keeps saying 'me duele mucho' when she moves, is that normal?",
    # single words and very short messages
    "ok", "hi", "yes", "si", "no", "gracias", "merci beaucoup", "salamat po",
    "gracias gracias gracias", "si si si", "Ma'am my pump is beeping",
    # drug names, numbers, emoji
    "Dilaudid", "baclofen 50 mcg/day", "Prialt", "ziconotide 2.4 mcg",
    "😭😭😭", "👍", "911", "123-456-7890", "???", "",
    "pump beeping again 😩 help",
    "my pump dose is 500 μg/day of baclofen",
    # long English text
    "Hello, I am writing on behalf of my father who has had an intrathecal pump for about six years. "
    "Over the past week he has been more tired than usual, he sleeps most of the day, and yesterday "
    "he said his legs felt heavier. He has no fever that we know of but his appetite is poor. Could "
    "someone from the clinic call us back to let us know whether we should bring him in before his "
    "refill appointment next Thursday? Thank you so much for all of your help over the years.",
    "Just wanted to let you know the pharmacy still hasn't gotten the prescription, and I called "
    "them twice this morning. Can you please resend it? I only have enough pills for two more days.",
]


@pytest.mark.parametrize("text, code", NON_ENGLISH)
def test_a_message_clearly_in_another_language_is_detected(text, code):
    assert detect_language(text) == code


@pytest.mark.parametrize("text", ENGLISH)
def test_english_and_undecidable_messages_are_not_flagged(text):
    assert detect_language(text) is None


def test_matching_ignores_accents():
    assert detect_language("Mi mama esta muy mal y no despierta") == "es"
    assert detect_language("Mi mamá está muy mal y no despierta") == "es"


def test_the_spanish_emergency_line_names_911_and_988():
    assert "911" in SPANISH_EMERGENCY_LINE
    assert "988" in SPANISH_EMERGENCY_LINE
    assert detect_language(SPANISH_EMERGENCY_LINE) == "es"


def test_detection_is_fast():
    texts = [text for text, _ in NON_ENGLISH] + [text for text in ENGLISH]
    for text in texts:  # warm the caches
        detect_language(text)
    start = time.perf_counter()
    rounds = 20
    for _ in range(rounds):
        for text in texts:
            detect_language(text)
    per_message = (time.perf_counter() - start) / (rounds * len(texts))
    assert per_message < 0.001  # generous bound for a loaded CI machine; typically ~0.02 ms


@pytest.mark.parametrize("text", [
    "Ya no aguanto más; hay noches en que pienso en quitarme de en medio.",
    "Sigo sangrando por la herida desde anoche",
    "Estoy muy cansada, no puedo despertarme bien",
])
def test_spanish_word_forms_no_list_holds_still_tell_the_language(text):
    assert detect_language(text) == "es"


@pytest.mark.parametrize("text", [
    "My pump alarm went off during the commando course",
    "Sparse notes from the tornado drill, refill is Tuesday",
    "I keep cramping and sweating since the refill was missed",
])
def test_english_words_with_romance_endings_stay_english(text):
    assert detect_language(text) is None
