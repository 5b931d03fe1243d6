"""Every label, span key, component name and extension name of imrnlp, defined once."""

from __future__ import annotations

from typing import Literal, get_args

# --- span keys ---------------------------------------------------------------------------------
#: The entity spans (overlaps allowed): what the rules tag and what a trained model learns.
SPANS_KEY = "imr"
#: Structural cues that are not entities: header labels and values, block labels, item cues.
FIELDS_KEY = "imr_fields"
#: One span per section of the letter, labelled with the section name.
SECTIONS_KEY = "imr_sections"
#: The listed diagnoses (DIAGNOSIS_ITEM), as the letter lists them: the record's diagnoses. Kept
#: apart from FIELDS_KEY, which every component reads.
DIAGNOSES_KEY = "imr_diagnoses"
#: One span per disputed item block, labelled with its decision.
ITEMS_KEY = "imr_items"
#: The parts of each item (heading, request, guideline lines, rationale ...), inside its item span,
#: labelled with the part's name (ITEM_PARTS).
ITEM_PARTS_KEY = "imr_item_parts"
#: The header table's values, labelled with their field name (case_number, date_assigned ...).
HEADER_KEY = "imr_header"
#: The expert reviewer's credentials: one span per state of licensure, one for the specialty.
CREDENTIALS_KEY = "imr_credentials"
CREDENTIAL_LICENSURE = "licensure"
CREDENTIAL_SPECIALTY = "specialty"
#: The gold spans of an annotated letter in a training DocBin (the NER learns those that do not
#: overlap, as doc.ents).
PREDICTED_KEY = "imr_predicted"
#: The spans a trained model put into SPANS_KEY (imr_span_merger): the record's `source: "model"`.
MODEL_SPANS_KEY = "imr_model"
#: The rule id of a model span that no rule span of its label overlaps.
MODEL_RULE_ID = "model"
#: Rule spans a trained model did not confirm (merge policy "filter"): `imr_span_filter` takes
#: them out of SPANS_KEY once the items are known, except in an item's heading and request.
UNCONFIRMED_KEY = "imr_unconfirmed"

# --- entity labels -----------------------------------------------------------------------------
DATE = "DATE"
DIAGNOSIS = "DIAGNOSIS"
ANATOMICAL_LEVEL = "ANATOMICAL_LEVEL"
PROCEDURE = "PROCEDURE"
MEDICATION = "MEDICATION"
GUIDELINE = "GUIDELINE"
DECISION = "DECISION"
ENTITY_LABELS: tuple[str, ...] = (
    DATE,
    DIAGNOSIS,
    ANATOMICAL_LEVEL,
    PROCEDURE,
    MEDICATION,
    GUIDELINE,
    DECISION,
)

# --- field (structural cue) labels -------------------------------------------------------------
HEADER_LABEL = "HEADER_LABEL"  # "Date Assigned:"; its id names the field (field.date_assigned)
CASE_NUMBER = "CASE_NUMBER"
PRIORITY = "PRIORITY"
BLOCK_LABEL = "BLOCK_LABEL"  # "Claims Administrator guideline:", "Decision rationale:" ...
DECISION_HEADING = "DECISION_HEADING"  # ": Upheld" closing an item heading
ITEM_CUE = (
    "ITEM_CUE"  # older layouts: "Regarding the request for", "has determined the request for"
)
PARTIAL_CUE = "PARTIAL_CUE"  # "The original request," / "remaining IMR eligible portion"
ITEMS_OPENING = "ITEMS_OPENING"  # "... the issues set forth below:", the line before the first item
QUANTITY = "QUANTITY"  # "#60", "QTY: 30"
LATERALITY = "LATERALITY"
#: "Pre-op", "postoperative": when a service is given, not a service (the annotation guide's
#: modifiers); a request naming nothing else is about the surgery (categories.json).
PERIOPERATIVE = "PERIOPERATIVE"
PATIENT = "PATIENT"  # "48 year old male"
LICENSURE = "LICENSURE"  # "State(s) of Licensure:"
SPECIALTY = "SPECIALTY"  # "Certification(s)/Specialty:"
DIAGNOSIS_CUE = "DIAGNOSIS_CUE"  # "The diagnoses include"
DIAGNOSIS_LIST = "DIAGNOSIS_LIST"  # the region a diagnosis cue introduces
DIAGNOSIS_ITEM = "DIAGNOSIS_ITEM"  # one listed diagnosis as the letter lists it (the record's)
DIAGNOSIS_HEAD = "DIAGNOSIS_HEAD"  # a word that names a condition ("pain", "strain")
#: words at either end of a listed diagnosis that the annotation guide leaves out of its span:
#: the ICD encounter suffix (", initial encounter"), severity ("mild", "persistent"), lead-ins;
#: the label of the rules of patterns/diagnosis_outside.jsonl (matched by imr_diagnosis_lists)
DIAGNOSIS_OUTSIDE = "DIAGNOSIS_OUTSIDE"
#: words inside a diagnosis list that tell an "and" between two listed diagnoses from one inside
#: a diagnosis (patterns/diagnosis_outside.jsonl, matched by imr_diagnosis_lists): a complement
#: ("with", "affecting") or a uncertainty cue's scope keeps what follows in the diagnosis, and a
#: bare condition word after a site's condition shares the site ("wrist tendinitis and bursitis")
DIAGNOSIS_LIST_WORD = "DIAGNOSIS_LIST_WORD"
NO_CITATION = "NO_CITATION"  # "did not cite any medical evidence"
CITATION_START = "CITATION_START"  # "Decision based on"

# --- rule ids the code reads (tests/test_patterns.py checks that each is a rule) -------------
RULE_NECESSARY = "decision.necessary"
RULE_NOT_NECESSARY = "decision.not_necessary"
RULE_MTUS = "guideline.mtus"
RULE_NON_MTUS = "guideline.non_mtus"
RULE_MTUS_PART = "guideline.mtus_part"
RULE_ODG = "guideline.odg"
RULE_ACOEM = "guideline.acoem"
RULE_UPTODATE = "guideline.uptodate"
RULE_URL = "guideline.url"
#: a list of sites with the condition after it ("neck, mid back and low back pain"), joins.jsonl
RULE_SITE_LIST = "diagnosis.join.site_list"
#: words in a diagnosis list that decide its "and"s (DIAGNOSIS_LIST_WORD, diagnosis_outside.jsonl)
RULE_LIST_COMPLEMENT = "diagnosis_list.complement"
RULE_LIST_SITE = "diagnosis_list.site"
RULE_LIST_SHARED = "diagnosis_list.shared_condition"
RULE_PARTIAL_ORIGINAL = "partial.original"
RULE_PARTIAL_REMAINING = "partial.remaining"
RULE_PARTIAL_WAS_ORIGINAL = "partial.was_original"
RULE_PARTIAL_AUTHORIZED_BY = "partial.authorized_by"
RULE_PARTIAL_AUTHORIZED = "partial.authorized"
RULE_ITEM_REGARDING = "item.regarding"
RULE_ITEM_DETERMINED = "item.determined"
RULE_ITEM_ISSUE_AT_DISPUTE = "item.issue_at_dispute"
RULE_MEDICATION_NAME = "medication.lexicon"
RULE_DATE_MONTH_YEAR = "date.month_year"
#: Every rule id above.
CODE_RULE_IDS: tuple[str, ...] = (
    RULE_NECESSARY,
    RULE_NOT_NECESSARY,
    RULE_MTUS,
    RULE_NON_MTUS,
    RULE_MTUS_PART,
    RULE_ODG,
    RULE_ACOEM,
    RULE_UPTODATE,
    RULE_URL,
    RULE_SITE_LIST,
    RULE_LIST_COMPLEMENT,
    RULE_LIST_SITE,
    RULE_LIST_SHARED,
    RULE_PARTIAL_ORIGINAL,
    RULE_PARTIAL_REMAINING,
    RULE_PARTIAL_WAS_ORIGINAL,
    RULE_PARTIAL_AUTHORIZED_BY,
    RULE_PARTIAL_AUTHORIZED,
    RULE_ITEM_REGARDING,
    RULE_ITEM_DETERMINED,
    RULE_ITEM_ISSUE_AT_DISPUTE,
    RULE_MEDICATION_NAME,
    RULE_DATE_MONTH_YEAR,
)

# --- header fields (ids of HEADER_LABEL spans are "field.<name>") ------------------------------
HEADER_FIELDS: tuple[str, ...] = (
    "case_number",
    "date_assigned",
    "decision_date",
    "priority",
    "date_of_injury",
    "ur_denial_date",
    "application_received",
)
#: The letter-level fields shown first in tables, pages and flat files.
LETTER_FIELDS: tuple[str, ...] = ("case_number", "layout", *HEADER_FIELDS[1:])
#: Date role that each header date field gives its value.
HEADER_DATE_ROLES: dict[str, str] = {
    "date_assigned": "assigned",
    "decision_date": "decision",
    "date_of_injury": "injury",
    "ur_denial_date": "ur_denial",
    "application_received": "application_received",
}

# --- sections the code reads (every section name is in patterns/sections.jsonl) ----------------
SECTION_HEADER = "header"
SECTION_CASE_SUMMARY = "case_summary"
SECTION_ISSUES = "issues"

# --- item blocks (ids of BLOCK_LABEL spans are "block.<name>") ---------------------------------
BLOCK_CLAIMS_ADMINISTRATOR = "claims_administrator_guideline"
BLOCK_REVIEWER = "reviewer_guideline"
BLOCK_RATIONALE = "rationale"

# --- item parts (labels of ITEM_PARTS_KEY spans) -----------------------------------------------
PART_HEADING = "heading"  # the item's heading, up to its decision
PART_REQUEST = "request"  # what was requested, inside the heading
PART_DECISION = "decision"  # the words that give the decision (": Upheld", "is not medically ...")
PART_PARTIAL = "partial"  # the cue of a partial authorization ("The original request was for")
PART_ORIGINAL_REQUEST = "original_request"
PART_AUTHORIZED = "authorized"  # what the claims administrator authorized of a partial request
ITEM_PARTS: tuple[str, ...] = (
    PART_HEADING,
    PART_REQUEST,
    PART_DECISION,
    PART_PARTIAL,
    PART_ORIGINAL_REQUEST,
    PART_AUTHORIZED,
    BLOCK_CLAIMS_ADMINISTRATOR,
    BLOCK_REVIEWER,
    BLOCK_RATIONALE,
)

# --- custom attribute extensions ---------------------------------------------------------------
EXT_ASSERTION = "imr_assertion"  # Span: present | uncertain | negated | historical
EXT_NORM = "imr_norm"  # Span: normalized value (ISO date, canonical level)
EXT_ROLE = "imr_role"  # Span: date role
EXT_LAYOUT = "imr_layout"  # Doc: recognised layout
EXT_ABBREVIATIONS = "imr_abbreviations"  # Doc: [short_start, short_end, long_start, long_end]
#: Span (an item of ITEMS_KEY): the category model's reading of the item,
#: {"scores": {category: probability}, "threshold": float}; None without a category model.
EXT_CATEGORY_MODEL = "imr_category_model"

# --- component names ---------------------------------------------------------------------------
PIPE_SECTIONS = "imr_sections"
#: The factory of both rulers: spaCy's span_ruler with the AnchoredMatcher (imrnlp/matcher.py).
FACTORY_SPAN_RULER = "imr_span_ruler"
PIPE_ENTITY_RULER = "imr_entity_ruler"
PIPE_FIELD_RULER = "imr_field_ruler"
PIPE_DIAGNOSIS_LISTS = "imr_diagnosis_lists"
PIPE_CONTEXT = "imr_context"
PIPE_HEADER = "imr_header"
PIPE_CREDENTIALS = "imr_credentials"
PIPE_NORMALIZER = "imr_normalizer"
PIPE_DATE_ROLES = "imr_date_roles"
PIPE_ITEMS = "imr_items"
PIPE_NER = "ner"
PIPE_FEATURES = "imr_features"
PIPE_SPAN_MERGER = "imr_span_merger"
PIPE_SPAN_FILTER = "imr_span_filter"  # after PIPE_ITEMS: drops UNCONFIRMED_KEY spans
PIPE_ABBREVIATIONS = "imr_abbreviations"
PIPE_ITEM_CATEGORY = "imr_item_category"  # the trained item category model, after PIPE_ITEMS

DateRole = Literal[
    "injury",
    "ur_denial",
    "assigned",
    "decision",
    "application_received",
    "report",
    "imaging",
    "surgery",
    "request",
    "other",
]
Assertion = Literal["present", "uncertain", "negated", "historical"]
Category = Literal[
    "medication",
    "physical_medicine",
    "injection",
    "imaging",
    "diagnostic_test",
    "surgery",
    "durable_medical_equipment",
    "evaluation_management",
    "psychological",
    "program",
    "home_health",
    "other",
]
#: Drug classes of a requested medication, ATC-aligned (opioid N02A, nsaid M01A, muscle_relaxant
#: M03B, anticonvulsant N03A, antidepressant N06A, topical_analgesic M02A/N01B/D04, benzodiazepine
#: N05BA/N05CD, sedative_hypnotic N05C, gastroprotective A02B, non_opioid_analgesic N02B,
#: antiemetic A04, laxative A06, medical_food: no ATC group).
DrugClass = Literal[
    "opioid",
    "nsaid",
    "muscle_relaxant",
    "anticonvulsant",
    "antidepressant",
    "topical_analgesic",
    "benzodiazepine",
    "sedative_hypnotic",
    "gastroprotective",
    "non_opioid_analgesic",
    "antiemetic",
    "laxative",
    "medical_food",
    "other",
]
#: Who decided an item's category: the rules, or the trained category model.
CategorySource = Literal["rules", "model"]
DRUG_CLASSES: tuple[str, ...] = get_args(DrugClass)
CATEGORIES: tuple[str, ...] = get_args(Category)
