import type { SensitivityCategory } from "../core/types.js";

/**
 * Word lists of the sensitive categories (contextual integrity: CIMemories' threat model).
 * `content` tags what a memory or message says about someone; `topic` adds the words a
 * question uses to ask about the category ("What did the doctor say?"), so that a question
 * about the topic lets those memories through. Entries are lower-case stems matched at a
 * word start; a trailing `*` matches any ending. Kept in one table so that docs/SECURITY.md
 * can describe it and tests can enumerate it.
 *
 * @example
 * ```ts
 * SENSITIVE_LEXICON.health.content.includes("diabet*"); // true
 * ```
 */
export const SENSITIVE_LEXICON: Readonly<Record<Exclude<SensitivityCategory, "credentials">, { content: readonly string[]; topic: readonly string[] }>> = {
  health: {
    content: [
      "diagnos*", "diabet*", "cancer", "chemo*", "tumou?r*", "leukemia", "hiv", "hepatitis", "depress*", "anxiety", "panic attack*", "bipolar", "schizophreni*", "adhd",
      "autis*", "ptsd", "ocd", "eating disorder", "anorexi*", "bulimi*", "therap(y|ist)", "psychiatr*", "antidepressant*", "medication*", "prescri*", "insulin", "ssri*",
      "sertraline", "prozac", "xanax", "lexapro", "zoloft", "adderall", "rehab", "addict*", "alcoholi*", "sober", "sobriety", "relapse*", "overdose*", "suicid*", "self[- ]harm",
      "miscarri*", "pregnan*", "ivf", "fertility", "infertil*", "abortion", "std", "sti", "herpes", "chlamydia", "epilep*", "seizure*", "multiple sclerosis", "parkinson*",
      "alzheimer*", "dementia", "asthma", "arthritis", "crohn'?s", "celiac", "lupus", "migraine*", "chronic pain", "disabilit*", "surgery", "surgeon", "biopsy", "mri",
      "hospitali[sz]ed", "in hospital", "oncolog*", "cardiolog*", "heart condition", "heart attack", "had a stroke", "blood pressure", "hypertension", "cholesterol", "mental health",
      "mental illness", "burnout", "insomnia", "concussion", "physiotherap*", "dialysis", "transplant*", "kidney disease", "thyroid", "endometriosis", "menopaus*", "erectile", "viagra",
    ],
    topic: ["health", "medical", "transplant*", "waiting list", "doctor", "doctors", "condition", "illness", "sick", "disease", "symptom*", "treatment", "medicine", "meds", "clinic", "hospital", "diagnos*", "therap*", "wellbeing", "prescription*", "appointment with (my|the) (doctor|therapist|gp)"],
  },
  sexuality: {
    content: [
      "gay", "lesbian", "bisexual", "pansexual", "asexual", "queer", "lgbt*", "transgender", "trans woman", "trans man", "nonbinary", "non-binary", "gender identity",
      "coming out", "came out", "closeted", "in the closet", "sexual orientation", "sexuality", "heterosexual", "homosexual", "sex life", "sexual", "kink*", "fetish*",
      "polyamor*", "open relationship", "hook ?ups?", "tinder", "grindr", "transition(ed|ing)", "hormone therapy", "pronouns",
    ],
    topic: ["orientation", "sexuality", "gender", "identity", "dating", "love life", "sex", "pride", "lgbt*", "coming out", "relationship", "pronouns?"],
  },
  religion: {
    content: [
      "religio*", "church", "mosque", "synagogue", "catholic*", "protestant*", "evangelical", "baptist", "methodist", "mormon*", "lds", "muslim*", "islam*", "jewish",
      "judaism", "jew", "hindu*", "buddhis*", "sikh*", "atheis*", "agnostic", "pray(s|ed|ing|er|ers)?", "bible", "quran", "koran", "torah", "ramadan", "shabbat", "sabbath",
      "kosher", "halal", "bapti[sz]ed", "believer", "jehovah'?s witness*", "scientolog*", "pastor", "priest", "rabbi", "imam", "worship", "spiritual",
      "mass on sundays", "bar mitzvah", "bat mitzvah", "confirmation class",
    ],
    topic: ["religion", "religious", "faith", "belief*", "god", "church", "spiritual*", "worship", "pray*"],
  },
  politics: {
    content: [
      "democrat*", "republican*", "labou?r party", "tory", "tories", "conservative party", "liberal democrat*", "green party", "socialis*", "communis*", "libertarian*",
      "marxis*", "anarchis*", "far[- ]right", "far[- ]left", "voted for", "vote for", "voting for", "ballot", "campaign(ed|ing)? for", "political", "politics", "activis*",
      "protest(ed|ing|s)?", "maga", "trump", "biden", "pro-life", "pro-choice", "immigration policy", "party member*", "canvass*", "petition*",
    ],
    topic: ["politic*", "political party", "vote", "voted", "voting", "election*", "campaign*", "protest*", "activis*", "candidate*"],
  },
  ethnicity: {
    content: [
      "ethnic*", "racial", "african[- ]american", "black woman", "black man", "hispanic", "latino", "latina", "latinx", "asian[- ]american", "native american",
      "indigenous", "aboriginal", "first nations", "roma", "romani", "arab descent", "of \\w+ descent", "biracial", "mixed[- ]race", "caucasian", "immigrant*",
      "refugee*", "asylum", "undocumented", "green card", "visa status", "citizenship",
    ],
    topic: ["ethnic*", "heritage", "ancestry", "descent", "nationality", "immigrat*", "citizenship", "this country", "immigration status", "visa", "refugee*", "asylum"],
  },
  union: {
    content: ["trade union", "labou?r union", "union member*", "union dues", "union rep*", "shop steward", "teamsters", "unionis*", "unioniz*", "collective bargaining", "striking", "picket*", "unite union", "on strike", "went on strike", "afl-cio", "seiu", "uaw", "nurses'? union", "teachers'? union", "joined the union"],
    topic: ["union", "unions", "strike*", "labou?r", "workers'? rights", "collective bargaining"],
  },
  genetic: {
    content: ["dna", "genetic*", "genome", "gene", "genes", "brca*", "23andme", "ancestrydna", "carrier of", "hereditary", "biometric*", "fingerprint*", "face id", "facial recognition", "retina scan", "iris scan", "voiceprint", "blood type", "huntington'?s"],
    topic: ["dna", "genetic*", "gene*", "biometric*", "fingerprint*", "ancestry", "hereditary", "test results?"],
  },
  finances: {
    content: [
      "debt*", "in debt", "owe", "owes", "owed", "loan*", "student loans?", "mortgage", "bankrupt*", "foreclos*", "credit score", "credit card debt", "overdraft", "overdrawn",
      "payday loan", "salary", "salaries", "income", "paycheck", "net worth", "savings", "401k", "pension", "inheritance", "inherited", "tax(es)? (return|debt|audit)",
      "irs", "bank account", "account number", "routing number", "iban", "sort code", "credit card", "card number", "collections agency", "debt collector", "evict*",
      "behind on (rent|payments|bills)", "can'?t afford", "i'm broke", "flat broke", "gambling", "alimony", "child support", "welfare", "food stamps", "unemployment benefits", "repossess*",
      "make \\$?\\d[\\d,]*k?", "earn(s|ed)? \\$?\\d", "\\$\\d[\\d,]*k? (a|per) (year|month)", "investment portfolio", "stock portfolio",
    ],
    topic: ["financ*", "money", "fund", "funds", "emergency fund", "debt*", "loan*", "salary", "income", "earn*", "savings", "invest*", "bank*", "credit", "mortgage", "tax*", "afford", "owe", "pay off", "paying off", "wealth", "net worth", "pension", "retirement"],
  },
  criminal: {
    content: [
      "arrest*", "convict*", "criminal record", "felony", "felon", "misdemeanou?r", "jail", "prison", "incarcerat*", "probation", "parole", "dui", "dwi", "drunk driving",
      "charged with", "pleaded guilty", "plead guilty", "court case", "lawsuit", "sued", "custody battle", "restraining order", "served time", "sentenced", "shoplift*",
      "assault charge*", "police record", "mugshot", "expunge*", "community service (order|sentence)", "on bail", "bail hearing", "criminal charges?", "ankle monitor",
    ],
    topic: ["criminal", "crime*", "police", "arrest*", "legal", "lawyer", "attorney", "court case", "criminal record", "conviction*", "jail", "prison"],
  },
};

/**
 * Credential words: the values after them are redacted before anything is stored, and a
 * text holding one is tagged "credentials".
 *
 * @example
 * ```ts
 * CREDENTIAL_WORDS.includes("pin"); // true
 * ```
 */
export const CREDENTIAL_WORDS: readonly string[] = [
  "pin", "pin code", "pin number", "passcode", "password", "passwd", "pwd", "passphrase", "pass phrase", "security code", "cvv", "cvc", "cvv2", "secret answer",
  "security answer", "security question answer", "access code", "door code", "gate code", "alarm code", "lock code", "unlock code", "garage code", "safe combination",
  "combination", "wifi password", "wi-fi password", "api key", "api token", "secret key", "private key", "access token", "auth token", "bearer token", "recovery code",
  "backup code", "2fa code", "otp", "one-time code", "seed phrase", "recovery phrase", "mnemonic phrase", "login", "username and password", "social security number", "ssn",
];
