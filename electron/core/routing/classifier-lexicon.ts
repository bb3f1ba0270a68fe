// Keyword tables for the complexity classifier, per language (English, Russian, German), compiled once
// at module load. JS `\b` only knows ASCII word characters, so every boundary here is a Unicode-aware
// lookaround: that is what keeps Cyrillic and umlauts from matching inside other words.

/** Start of a word: no letter, digit or underscore right before. */
const B = '(?<![\\p{L}\\p{N}_])'
/** End of a word: no letter, digit or underscore right after. */
const E = '(?![\\p{L}\\p{N}_])'

/** Whole words or phrases from the list; items may hold regex syntax. */
function words(list: readonly string[], flags = 'iu'): RegExp {
  return new RegExp(`${B}(?:${list.join('|')})${E}`, flags)
}

/** Word starts (stems): Russian and German inflect, so only the start of the word is pinned. */
function stems(list: readonly string[], flags = 'iu'): RegExp {
  return new RegExp(`${B}(?:${list.join('|')})`, flags)
}

/**
 * A verb followed within a few words by an object: "write [me] [a short] poem", "напиши, пожалуйста,
 * функцию". Each object list is a named group, and the lazy gap stops at the nearest object of any
 * kind ("write a regex for email validation" is a regex). Gaps are whole tokens and a hyphenated
 * compound may carry the object ("Python-Skript", "SQL-запрос"), so the regex never backtracks inside
 * a word and stays linear on long pastes.
 */
function near(
  verbs: readonly string[],
  objects: Record<string, readonly string[]>,
  gap = 3,
): RegExp {
  const groups = Object.entries(objects)
    .map(([name, list]) => `(?<${name}>${list.join('|')})`)
    .join('|')
  return new RegExp(
    `${B}(?:${verbs.join('|')})\\p{L}*(?:[\\s,]+[^\\s,]+){0,${gap}}?[\\s,]+(?:[^\\s,\\-]+-)?(?:${groups})${E}`,
    'iu',
  )
}

/**
 * The tail of a German compound noun ("Liebesbrief", "Geburtstagsgedicht"): no start boundary, so it
 * is cheap to scan for and only used together with a German writing verb.
 */
function compoundTail(tails: readonly string[]): RegExp {
  return new RegExp(`(?:${tails.join('|')})(?:e|en|n|s|es)?${E}`, 'iu')
}

// ------------------------------------------------------------------ greetings, acks, small talk

const GREETING_WORDS = [
  // en
  'hi+',
  'hello+',
  'hey+',
  'hiya',
  'howdy',
  'yo',
  'greetings',
  'good\\s+(?:morning|afternoon|evening|night|day)',
  'morning',
  'thanks?(?:\\s+you)?',
  'thank\\s+you',
  'thx',
  'ty',
  'cheers',
  'bye',
  'goodbye',
  'good\\s*bye',
  'see\\s+(?:you|ya)(?:\\s+(?:later|tomorrow|soon))?',
  'cya',
  // ru
  'привет\\p{L}*',
  'приветствую',
  'здравствуй(?:те)?',
  'здорово',
  'хай',
  'добр(?:ое|ый|ой|ого)\\s+(?:утро|день|вечер|вечера|дня|ночи)',
  'спасибо',
  'спс',
  'благодарю',
  'пока',
  'до\\s+(?:свидания|встречи|завтра|скорого)',
  'спокойной\\s+ночи',
  // de
  'hallo',
  'guten\\s+(?:morgen|tag|abend)',
  'gute\\s+nacht',
  'servus',
  'moin',
  'grüß\\s+gott',
  'grüezi',
  'danke',
  'vielen\\s+dank',
  'tschüss?',
  'ciao',
  'bis\\s+(?:morgen|später|bald|dann)',
  'auf\\s+wiedersehen',
]

/** Words that may sit next to a greeting without making it more than a greeting. */
const GREETING_FILLERS = [
  'there',
  'all',
  'everyone',
  'everybody',
  'guys',
  'folks',
  'friends?',
  'buddy',
  'mate',
  'again',
  'so\\s+much',
  'very\\s+much',
  'a\\s+lot',
  'you',
  'dear',
  'друзья',
  'всем',
  'вам',
  'тебе',
  'большое',
  'огромное',
  'ещё\\s+раз',
  'еще\\s+раз',
  'zusammen',
  'alle',
  'leute',
  'euch',
  'dir',
  'schön',
  'sehr',
  'nochmal',
]

/** Acknowledgements: a whole message of these is trivial chat. */
const ACK_WORDS = [
  'ok(?:ay)?',
  'k',
  'sure',
  'fine',
  'cool',
  'great',
  'nice',
  'awesome',
  'perfect',
  'super',
  'got\\s+it',
  'i\\s+see',
  'understood',
  'yes',
  'no',
  'yep',
  'yeah',
  'nope',
  'alright',
  'lol',
  'ладно',
  'понял[аи]?',
  'понятно',
  'ясно',
  'хорошо',
  'ок',
  'окей',
  'да',
  'нет',
  'угу',
  'ага',
  'класс',
  'супер',
  'отлично',
  'круто',
  'gut',
  'alles\\s+klar',
  'verstanden',
  'ja',
  'nein',
  'genau',
  'prima',
  'toll',
]

const SEP = '[\\s\\p{P}\\p{S}\\p{M}]'

/** A message made only of greetings, fillers and acks (and punctuation/emoji). */
export const GREETING_ONLY = new RegExp(
  `^${SEP}*(?:(?:${[...GREETING_WORDS, ...GREETING_FILLERS, ...ACK_WORDS].join('|')})${E}${SEP}*)+$`,
  'iu',
)
/** At least one real greeting word somewhere. */
export const GREETING_ANY = words(GREETING_WORDS)
/** A message made only of acks. */
export const ACK_ONLY = new RegExp(`^${SEP}*(?:(?:${ACK_WORDS.join('|')})${E}${SEP}*)+$`, 'iu')
/** A greeting at the start of a longer message, with the punctuation after it (to strip it). */
export const GREETING_PREFIX = new RegExp(
  `^\\s*(?:${GREETING_WORDS.join('|')})${E}(?:\\s+(?:${GREETING_FILLERS.join('|')})${E})?[\\s\\p{P}\\p{S}]+`,
  'iu',
)
/** Waving and greeting emoji. */
export const GREETING_EMOJI =
  /^(?:\s|\u{1F44B}|\u{1F64B}|\u{1F91D}|\u{1F590}|\u{270B}|\u{1F596}|\u{FE0F}|[\u{1F3FB}-\u{1F3FF}])+$/u
/** Any letter or digit: without one a message is emoji or punctuation only. */
export const HAS_LETTER_OR_DIGIT = /[\p{L}\p{N}]/u

/** Small talk that is trivial: "how are you". */
export const SMALL_TALK_TRIVIAL = words([
  'how\\s+are\\s+(?:you|u)',
  "how(?:'s|\\s+is)\\s+it\\s+going",
  "what(?:'|’)?s\\s+up",
  'wh?at\\s+up',
  'sup',
  'wassup',
  'how\\s+do\\s+you\\s+do',
  'как\\s+(?:дела|ты|жизнь|поживаешь|сам|настроение)',
  'что\\s+делаешь',
  'чем\\s+занят\\p{L}*',
  "wie\\s+geht(?:'|’)?s",
  'wie\\s+geht\\s+es\\s+(?:dir|ihnen|euch)',
  'was\\s+machst\\s+du(?:\\s+so)?',
  'was\\s+geht',
])

/** Small talk and jokes: chat for a fast model. */
export const SMALL_TALK = words([
  'jokes?',
  'funny',
  'pun',
  'who\\s+are\\s+you',
  "what(?:'s|\\s+is)\\s+your\\s+name",
  'tell\\s+me\\s+about\\s+yourself',
  'what\\s+can\\s+you\\s+do',
  'are\\s+you\\s+(?:a\\s+bot|human|real|an?\\s+ai)',
  "i(?:'|’)?m\\s+bored",
  "let(?:'|’)?s\\s+(?:talk|chat)",
  'favou?rite',
  'анекдот\\p{L}*',
  'шутк\\p{L}*',
  'пошути\\p{L}*',
  'смешн\\p{L}*',
  'кто\\s+ты',
  'как\\s+тебя\\s+зовут',
  'что\\s+ты\\s+умеешь',
  'расскажи\\s+о\\s+себе',
  'скучно',
  'поболтаем',
  'любим\\p{L}+',
  'witz\\p{L}*',
  'lustig\\p{L}*',
  'wer\\s+bist\\s+du',
  'wie\\s+heißt\\s+du',
  'was\\s+kannst\\s+du',
  'langweilig',
  'lieblings\\p{L}+',
  'plaudern',
])

/** Requests for a recommendation or opinion: chat. */
export const RECOMMEND = stems([
  'recommend',
  'suggest',
  'посоветуй',
  'порекомендуй',
  'empfiehl',
  'empfehl',
])

/** Factoid questions ("the capital of ..."): a fast model knows them, no explanation needed. */
export const FACTOID = stems([
  'capital\\s+(?:city\\s+)?of',
  'population\\s+of',
  'what\\s+time\\s+is\\s+it',
  'how\\s+(?:tall|old|far|high|long\\s+ago)',
  'when\\s+was\\s+\\p{L}+\\s+born',
  'столиц',
  'население',
  'который\\s+час',
  'сколько\\s+времени',
  'hauptstadt',
  'einwohner',
  'wie\\s+spät',
  'wie\\s+(?:alt|hoch|weit)\\s',
])

// ------------------------------------------------------------------ code

/** Lines of stack traces and compiler errors. */
export const STACK_TRACE =
  /Traceback \(most recent call last\)|^\s*File "[^"\n]+", line \d+|^\s+at [\w.$<>/\][ ]+\(?[^\s()]+:\d+(?::\d+)?\)?$|\b[\w.]*(?:Error|Exception):\s|\b(?:Exception in thread|panic:|Segmentation fault|error\[E\d+\]|error TS\d+)|^\s*-->\s+\S+:\d+:\d+/mu

/** Lines that look like code even without a fence. */
export const CODE_LINE =
  /^\s*(?:def |class |function |import |from \S+ import |const |let |var |public |private |#include|package |fn |func |SELECT |INSERT |UPDATE |CREATE TABLE|return\b|if \(.*\)\s*\{|for \(.*\)\s*\{|\}\s*$|.*;\s*$|.*\{\s*$|.*=>\s*\{?$)/gimu

/** Technologies and programming words; each adds a little to the code score. */
export const TECH_TERMS = new RegExp(
  `${B}(?:${[
    'python',
    'javascript',
    'typescript',
    'js',
    'ts',
    'java',
    'golang',
    'rust',
    'c\\+\\+',
    'c#',
    'kotlin',
    'swift',
    'php',
    'ruby',
    'scala',
    'haskell',
    'sql',
    'nosql',
    'html',
    'css',
    'react',
    'vue',
    'angular',
    'svelte',
    'node(?:\\.js|js)?',
    'deno',
    'django',
    'flask',
    'fastapi',
    'express',
    'spring',
    'laravel',
    'rails',
    'docker',
    'docker\\s+compose',
    'kubernetes',
    'k8s',
    'helm',
    'git',
    'github',
    'bash',
    'shell',
    'powershell',
    'linux',
    'api',
    'rest',
    'graphql',
    'grpc',
    'jwt',
    'oauth2?',
    'json',
    'yaml',
    'xml',
    'regex',
    'regexp',
    'postgres(?:ql)?',
    'mysql',
    'sqlite',
    'mongodb',
    'redis',
    'kafka',
    'rabbitmq',
    'websockets?',
    'microservices?',
    'backend',
    'frontend',
    'async',
    'await',
    'compiler',
    'runtime',
    'debug\\p{L}*',
    'null\\s*pointer',
    'segfault',
    'stack\\s*trace',
    'dependency\\s+injection',
    'unit\\s*tests?',
    'migrations?',
    'endpoints?',
    'rate[\\s-]limit\\p{L}*',
    'refresh[\\s-]tokens?',
    'npm',
    'pip',
    'cargo',
    'webpack',
    'vite',
    'electron',
    'telegram[\\s-]bot\\p{L}*',
    'django',
    'closures?',
    'pointers?',
    'arrays?',
    'hash\\s*maps?',
    'variables?',
    'recursion',
    'databases?',
    'in\\s+go',
    'на\\s+go',
    'in\\s+c',
    'на\\s+c',
    'баз[аеыу]\\s+данных',
    'datenbank\\p{L}*',
    'код\\p{L}*',
    'code',
    'массив\\p{L}*',
    'словар[ьяюе]',
    'переменн\\p{L}*',
    'рекурси\\p{L}*',
    'указател\\p{L}*',
    'программ\\p{L}*',
    'variable\\p{L}*',
    'funktion\\p{L}*',
    'programmier\\p{L}*',
  ].join('|')})${E}`,
  'giu',
)

/** Words of a code problem: errors, crashes, "doesn't work". */
export const CODE_PROBLEM = stems([
  'errors?\\b',
  'exception',
  'bugs?\\b',
  'crash',
  'fails?\\b',
  'failing',
  'failed',
  "doesn(?:'|’)?t\\s+work",
  'not\\s+working',
  'broken',
  'compil',
  'ошибк',
  'баг',
  'пада',
  'пада[ею]т',
  'пад[аё]т',
  'не\\s+работает',
  'вылета',
  'компил',
  'fehler',
  'absturz',
  'stürzt',
  'funktioniert\\s+nicht',
  'kompilier',
])

const MAKE_VERBS = [
  'write',
  'implement',
  'create',
  'build',
  'make',
  'develop',
  'code',
  'generate',
  'design',
  'напиш',
  'напиши',
  'реализ',
  'созда',
  'сделай',
  'разработа',
  'спроектир',
  'сгенерир',
  'schreib',
  'implementier',
  'erstell',
  'entwickl',
  'entwirf',
  'entwerf',
  'bau',
  'programmier',
  'generier',
  'could\\s+you\\s+write',
]

/** Small code objects: one function, a regex, a classic algorithm. */
const CODE_OBJ_SMALL = [
  'functions?',
  'methods?',
  'regexp?',
  'regular\\s+expression',
  'one[\\s-]liner',
  'snippet',
  'binary\\s+search',
  'sort\\p{L}*',
  'fibonacci',
  'factorial',
  'palindrome',
  'функци\\p{L}*',
  'метод\\p{L}*',
  'регуляр\\p{L}*',
  'регэксп\\p{L}*',
  'бинарн\\p{L}*',
  'сортировк\\p{L}*',
  'факториал\\p{L}*',
  'funktion\\p{L}*',
  'methode\\p{L}*',
  'regex',
  'binäre\\p{L}*',
]

/** Medium code objects: a script, a query, a component, a bot. */
const CODE_OBJ_MEDIUM = [
  'scripts?',
  'quer(?:y|ies)',
  'components?',
  'class(?:es)?',
  'programs?',
  'bots?',
  'cli',
  'parser',
  'hooks?',
  'tests?',
  'cache',
  'tool',
  'dockerfile',
  'makefile',
  'config(?:uration)?',
  'pipeline',
  'workflow',
  'конфиг\\p{L}*',
  'пайплайн\\p{L}*',
  'скрипт\\p{L}*',
  'запрос\\p{L}*',
  'компонент\\p{L}*',
  'класс\\p{L}*',
  'программ\\p{L}*',
  'бот\\p{L}*',
  'парсер\\p{L}*',
  'тест\\p{L}*',
  'skript\\p{L}*',
  'abfrage\\p{L}*',
  'komponente\\p{L}*',
  'klasse\\p{L}*',
  'programm\\p{L}*',
  'bot\\p{L}*',
]

/** System-sized code objects: these need the several-requirements check to become complex. */
const CODE_OBJ_SYSTEM = [
  'systems?',
  'apps?',
  'applications?',
  'apis?',
  'services?',
  'microservices?',
  'servers?',
  'backend',
  'platform',
  'architecture',
  'framework',
  'library',
  'website',
  'web\\s*app',
  'систем\\p{L}*',
  'приложени\\p{L}*',
  'сервис\\p{L}*',
  'сервер\\p{L}*',
  'api',
  'архитектур\\p{L}*',
  'библиотек\\p{L}*',
  'сайт\\p{L}*',
  'бэкенд\\p{L}*',
  'anwendung\\p{L}*',
  'dienst\\p{L}*',
  'architektur\\p{L}*',
  'bibliothek\\p{L}*',
  'webseite',
]

/** Verbs that only ever mean code work. */
export const CODE_VERBS = stems([
  'implement',
  'refactor',
  'debug',
  'реализу',
  'реализ',
  'рефактор',
  'отлад',
  'implementier',
  'refaktor',
])
/** Verbs that ask for a bigger change to existing code (never a "small fix"). */
export const CODE_REWORK = stems([
  'refactor',
  'review',
  'explain',
  'rewrite',
  'optimi[sz]',
  'рефактор',
  'ревью',
  'объясн',
  'перепиш',
  'оптимиз',
  'refaktor',
  'erklär',
  'überprüf',
  'optimier',
])
/** "How do I … (in Python)": a how-to, code when a technology is named. */
export const HOW_TO = words([
  'how\\s+(?:do|can|should|would)\\s+(?:i|we|you)',
  'how\\s+to',
  'как\\s+(?:\\S+\\s+){0,3}?\\p{L}+(?:ть|ти|чь)(?:ся)?',
  'wie\\s+(?:kann|soll|muss)\\s+(?:ich|man|wir)',
  'wie\\s+\\p{L}+\\s+(?:ich|man)',
])

// ------------------------------------------------------------------ explanation

/** Explicit asks for an explanation of a concept. */
export const EXPLAIN_EXPLICIT = stems([
  'explain',
  'explanation',
  'describe',
  'elaborate',
  'how\\s+(?:does|do|did)\\s+(?:\\S+\\s+){1,6}?work',
  'how\\s+\\S+(?:\\s+\\S+)?\\s+works',
  'difference\\s+between',
  'differences?\\s+(?:of|in)',
  'compare',
  'comparison',
  'better\\s+than',
  'worse\\s+than',
  'pros\\s+and\\s+cons',
  'vs\\.?\\s',
  'versus',
  'tell\\s+me\\s+(?:about|how)',
  'объясн',
  'поясн',
  'опиши',
  'расскажи\\s+(?:о|об|про|подробн|как)',
  'как\\s+(?:работа|устроен|функционир)',
  'в\\s+ч[её]м\\s+разниц',
  'чем\\s+отлича',
  'разниц\\p{L}*\\s+между',
  'сравни',
  'лучше\\s+ли',
  'erklär',
  'beschreib',
  'wie\\s+funktionier',
  'unterschied',
  'vergleich',
  'besser\\s+als',
])

/** Question words that ask "what/why" — weaker: the topic decides how hard it is. */
export const EXPLAIN_QUESTION = stems([
  'what\\s+(?:is|are|was|were)\\s',
  "what(?:'|’)s\\s",
  'why\\b',
  'what\\s+does\\s+.{1,40}\\s+mean',
  'how\\s+(?:does|do|did|is|are|can|could)\\s+(?!i\\b|we\\b|you\\b)',
  'meaning\\s+of',
  'define\\b',
  'definition',
  'что\\s+(?:такое|значит|означает|есть)',
  'почему',
  'зачем',
  'отчего',
  'was\\s+(?:ist|sind|war|bedeutet|heißt|versteht\\s+man)',
  'warum',
  'wieso',
  'weshalb',
  'wie\\s+(?:entsteh|wirk|arbeite)',
  'wozu',
])

/** "What does X mean" and friends: a definition, usually short. */
export const DEFINITION = stems([
  'what\\s+does\\s+.{1,40}\\s+mean',
  'meaning\\s+of',
  'define\\b',
  'что\\s+(?:значит|означает)',
  'was\\s+(?:bedeutet|heißt)',
])

/** "why …" questions: short ones about everyday things are simple. */
export const WHY = stems(['why\\b', 'почему', 'отчего', 'warum', 'wieso', 'weshalb'])

/** Asks for brevity. */
export const BREVITY = words([
  'briefly',
  'brief',
  'in\\s+short',
  'short\\s+answer',
  'in\\s+(?:one|a|two)\\s+(?:sentence|sentences|line|word|words)',
  'quick(?:ly)?',
  'tl;?dr',
  'eli5',
  'коротко',
  'кратко',
  'вкратце',
  'в\\s+двух\\s+словах',
  'одним\\s+предложением',
  'kurz',
  'kurz\\s+erklärt',
  'in\\s+einem\\s+satz',
  'knapp',
])

/** Asks for depth. */
export const DEPTH = words([
  'in\\s+detail',
  'detailed',
  'thoroughly',
  'in\\s+depth',
  'in-depth',
  'comprehensive',
  'подробно',
  'подробнее',
  'детально',
  'развёрнуто',
  'ausführlich',
  'im\\s+detail',
  'detailliert',
])

// ------------------------------------------------------------------ reasoning

/** Proofs and named logic work: complex reasoning. */
export const REASONING_STRONG = stems([
  'prove\\b',
  'proof\\b',
  'show\\s+that',
  'derive\\b',
  'theorem',
  'lemma',
  'puzzle',
  'riddle',
  'brain\\s*teaser',
  'logic\\s+(?:puzzle|problem)',
  'logical\\s+(?:puzzle|problem)',
  'irrational',
  'infinitely\\s+many',
  'доказ',
  'докажи',
  'теорем',
  'лемм',
  'головоломк',
  'загадк',
  'логическ\\p{L}*\\s+задач',
  'иррационал',
  'бесконечно\\s+много',
  'beweis',
  'zeige,?\\s+dass',
  'theorem',
  'rätsel',
  'logikrätsel',
  'irrational',
  'unendlich\\s+viele',
])

/** Vocabulary of classic puzzles; several together make a logic puzzle without the word "puzzle". */
export const PUZZLE_CUES = stems(
  [
    'label(?:l)?ed',
    'labels?\\b',
    'wrong\\b',
    'which\\s+(?:box|door|one|coin)',
    'liars?\\b',
    'lies\\b',
    'tells\\s+the\\s+truth',
    'truth',
    'pirates?',
    'coins?',
    'weigh',
    'river',
    'boat',
    'goat',
    'wolf',
    'knights?',
    'knaves?',
    'vote',
    'надпис',
    'подписан',
    'неверн',
    'коробк',
    'лж[её]т',
    'лжец',
    'правду',
    'переправ',
    'лодк',
    'волк',
    'коз[аыу]',
    'монет',
    'beschrift',
    'falsch',
    'lügt',
    'lügner',
    'wahrheit',
    'fluss',
    'boot\\b',
    'ziege',
    'münze',
    'pirat',
    'kiste',
  ],
  'giu',
)

/** Maths and calculation: reasoning, simple when it is a one-liner. */
export const MATH = stems([
  'solve\\b',
  'calculate',
  'compute\\b',
  'how\\s+(?:much|many)',
  'equations?',
  'integral',
  'derivative',
  'percent',
  'реши\\b',
  'решите',
  'вычисли',
  'посчитай',
  'сколько',
  'уравнени',
  'интеграл',
  'производн',
  'процент',
  'löse\\b',
  'berechne',
  'wie\\s+viel',
  'gleichung',
  'ableitung',
  'prozent',
])

/** Probability and step-by-step asks: reasoning of some depth. */
export const REASONING_MODERATE = stems([
  'probabilit',
  'odds\\b',
  'step\\s+by\\s+step',
  'explain\\s+your\\s+reasoning',
  'вероятност',
  'шаг\\s+за\\s+шагом',
  'wahrscheinlichkeit',
  'schritt\\s+für\\s+schritt',
])

/** An arithmetic expression: "17 * 23", "12 mal 13", "x^2 - 5x + 6 = 0", "15% от 240". */
export const ARITHMETIC =
  /\d\s*(?:[-+*/×÷^=]|mal|times|plus|minus|geteilt|умнож\p{L}*|раздел\p{L}*)\s*[\dx(]|\d\s*%|\d+x\b/iu

/** Numbers, counted to spot word problems. */
export const NUMBER = /\d+(?:[.,:]\d+)?/gu

// ------------------------------------------------------------------ writing

const WRITE_VERBS = [
  'write',
  'compose',
  'draft',
  'create',
  'make',
  'could\\s+you\\s+write',
  'напиш',
  'напиши',
  'сочини',
  'составь',
  'придумай',
  'подготовь',
  'schreib',
  'verfass',
  'dicht',
  'formulier',
  'erstell',
]

/** Short creative forms: a fast model writes them well. */
const WRITING_OBJ_SHORT = [
  'poems?',
  'poetry',
  'haikus?',
  'limericks?',
  'verses?',
  'rhymes?',
  'tweets?',
  'slogans?',
  'captions?',
  'birthday\\s+(?:wish|message|card)',
  'стих\\p{L}*',
  'хайку',
  'частушк\\p{L}*',
  'поздравлени\\p{L}*',
  'слоган\\p{L}*',
  'твит\\p{L}*',
  'gedicht\\p{L}*',
  'reim\\p{L}*',
  'glückwunsch\\p{L}*',
  'spruch',
  'sprüche',
]

/** Longer creative and business forms. */
const WRITING_OBJ_LONG = [
  'stor(?:y|ies)',
  'tales?',
  'fairy\\s+tales?',
  'essays?',
  'letters?',
  'e-?mails?',
  'blog(?:\\s+posts?)?',
  'articles?',
  'posts?',
  'speech(?:es)?',
  'toasts?',
  'songs?',
  'lyrics',
  'cover\\s+letter',
  'resume',
  'résumé',
  'description',
  'press\\s+release',
  'newsletter',
  'рассказ\\p{L}*',
  'истори\\p{L}*',
  'сказк\\p{L}*',
  'эссе',
  'сочинени\\p{L}*',
  'письм\\p{L}*',
  'имейл\\p{L}*',
  'стать\\p{L}*',
  'пост\\p{L}*',
  'речь',
  'тост\\p{L}*',
  'песн\\p{L}*',
  'резюме',
  'сопроводительн\\p{L}*',
  'описани\\p{L}*',
  'geschichte\\p{L}*',
  'märchen',
  'aufsatz',
  'essay',
  'brief\\p{L}*',
  'e-?mail\\p{L}*',
  'blog\\p{L}*',
  'artikel\\p{L}*',
  'beitrag',
  'rede',
  'lied\\p{L}*',
  'songtext',
  'bewerbung\\p{L}*',
  'anschreiben',
]

/** Long-form documents: complex writing. */
export const WRITING_LONG_FORM = stems([
  'chapter',
  'book\\b',
  'novel\\b',
  'thesis',
  'dissertation',
  'whitepaper',
  'white\\s+paper',
  'business\\s+plan',
  'глав[ауы]\\b',
  'книг',
  'диплом',
  'курсов\\p{L}*\\s+работ',
  'бизнес-план',
  'kapitel',
  'roman\\b',
  'abschlussarbeit',
  'bachelorarbeit',
  'masterarbeit',
  'businessplan',
])

/** A German writing verb anywhere (German often puts it last: "ein Gedicht … schreiben"). */
export const DE_WRITE_VERB = stems(['schreib', 'verfass', 'dichte\\b'])
/** German short forms, also as the tail of a compound. */
export const DE_WRITING_SHORT_TAIL = compoundTail([
  'gedicht',
  'reim',
  'glückwunsch',
  'spruch',
  'sprüche',
])
/** German longer forms, also as the tail of a compound. */
export const DE_WRITING_LONG_TAIL = compoundTail([
  'brief',
  'geschichte',
  'märchen',
  'aufsatz',
  'artikel',
  'beitrag',
  'bewerbung',
  'anschreiben',
])

/**
 * A request to make something, with the kind of thing in a named group: `codeSmall` (a function),
 * `codeMedium` (a script, a query), `codeSystem` (an API, an auth system), `writeShort` (a poem),
 * `writeLong` (a letter, a story).
 */
export const MAKE_REQUEST = near([...new Set([...MAKE_VERBS, ...WRITE_VERBS])], {
  codeSmall: CODE_OBJ_SMALL,
  codeMedium: CODE_OBJ_MEDIUM,
  codeSystem: CODE_OBJ_SYSTEM,
  writeShort: WRITING_OBJ_SHORT,
  writeLong: WRITING_OBJ_LONG,
})

/** Working on a given text: translate, summarize, proofread, rewrite. */
export const TEXT_TRANSFORM = stems([
  'translat',
  'summari[sz]',
  'summary',
  'proofread',
  'rewrite',
  'rephrase',
  'paraphrase',
  'shorten',
  'polish',
  'переведи',
  'перевед',
  'перескажи',
  'перепиши',
  'перефразируй',
  'сократи',
  'отредактируй',
  'исправь\\s+(?:текст|ошибки\\s+в\\s+тексте)',
  'кратко\\s+изложи',
  'übersetz',
  'fass(?:e|t)?\\s+(?:\\S+\\s+){0,5}?zusammen',
  'zusammenfass',
  'umformulier',
  'korrekturles',
  'kürze(?!\\p{L})',
])

// ------------------------------------------------------------------ context and requirements

/** Markers of a follow-up that leans on the previous turn. */
export const FOLLOW_UP = new RegExp(
  `^\\s*(?:${[
    'and',
    'also',
    'now',
    'but',
    'what\\s+about',
    'how\\s+about',
    'why',
    'why\\s+not',
    'how',
    'more',
    'again',
    'continue',
    'go\\s+on',
    'another',
    'same',
    'still',
    'shorter',
    'longer',
    'make\\s+it',
    'make\\s+this',
    'do\\s+it',
    'а',
    'и',
    'но',
    'теперь',
    'почему',
    'зачем',
    'как',
    'ещё',
    'еще',
    'продолж\\p{L}*',
    'дальше',
    'подробнее',
    'короче',
    'сделай',
    'всё\\s+ещё',
    'все\\s+еще',
    'опять',
    'und',
    'aber',
    'jetzt',
    'warum',
    'wieso',
    'weshalb',
    'wie',
    'noch',
    'nochmal',
    'weiter',
    'mach',
    'kürzer',
    'länger',
    'immer\\s+noch',
  ].join('|')})${E}`,
  'iu',
)

/** Follow-up words anywhere: comparatives of style, "still", "same error". */
export const FOLLOW_UP_ANY = stems([
  'shorter',
  'longer',
  'simpler',
  'funnier',
  'more\\s+\\p{L}+',
  'still',
  'same\\s+error',
  "doesn(?:'|’)?t\\s+work",
  'короче',
  'проще',
  'подробнее',
  'смешнее',
  'не\\s+работает',
  'kürzer',
  'länger',
  'einfacher',
  'lustiger',
  'funktioniert\\s+nicht',
])

/**
 * Separators of listed requirements inside one sentence: commas and semicolons (unless a subordinate
 * clause follows, as German and Russian punctuation demands), and list conjunctions. Sentence ends
 * reset the count.
 */
export const REQUIREMENT_TOKEN = new RegExp(
  `[.!?](?=\\s|$)|\\n|[,;](?!\\s*(?:${[
    'which',
    'that',
    'who',
    'where',
    'when',
    'if',
    'so',
    'but',
    'i',
    'please',
    'pls',
    'как',
    'который',
    'которая',
    'которое',
    'которые',
    'которую',
    'что',
    'чтобы',
    'если',
    'где',
    'когда',
    'пожалуйста',
    'die',
    'der',
    'das',
    'dass',
    'ob',
    'wenn',
    'wie',
    'weil',
    'bitte',
  ].join('|')})${E})|${B}(?:and|и|und|sowie|as\\s+well\\s+as|а\\s+также|plus)${E}`,
  'giu',
)

/** Numbered or bulleted list lines. */
export const LIST_LINE = /^\s*(?:\d+[.)]|[-*•])\s+\S/gmu
