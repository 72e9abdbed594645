//! Finding intakes that describe the same person.
//!
//! Two volunteers on two devices may open an intake for the same client, spelling the name
//! differently ("Maria José García-López" / "GARCIA LOPEZ, Maria Jose") and writing the date of
//! birth in another format. The server normalises each intake once into [`PersonKeys`], indexes
//! its [`blocking_keys`] in SQL, and runs [`compare`] only on intakes sharing a blocking key.
//!
//! The rules lean towards caution in one direction: two intakes whose dates of birth are both
//! known and differ are never paired on their names alone, however equal, because clinics see
//! many clients sharing common names, and a wrong merge of two people's legal histories is far
//! worse than a supervisor's second look at a duplicate.

use std::collections::BTreeSet;

use fieldclinic_schema::{Offense, Person};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// The lowest score [`compare`] reports.
///
/// The weakest evidence the rules admit on their own is a shared docket number with a name just
/// at the similarity threshold: `0.15 + 0.3 × 0.85 = 0.405`, so every pair admitted through a
/// date of birth or a docket clears 0.4. The one pair it turns away is an equal A-number whose
/// date of birth contradicts it *and* whose names are unlike (similarity under 1/3, scoring
/// `0.6 − 0.3 + 0.3 × sim`): two independent fields disagreeing with one identifier point to a
/// number copied onto the wrong intake rather than one person.
pub const MIN_SCORE: f64 = 0.4;

/// How alike two names must be to count as the same person's, when a date of birth or a docket
/// number already ties the intakes together.
///
/// 0.85 admits one-letter typos in short names ("jon smyth" / "john smith" ≈ 0.92), a missing
/// middle name or second surname (0.95, 0.90) and a first name reduced to an initial (0.875),
/// while a different first name with the same surname ("jose garcia" / "juan garcia") scores
/// about 0.5.
const NAME_THRESHOLD: f64 = 0.85;

/// Below this Jaro-Winkler score two name tokens are unrelated rather than misspelt: transposed
/// or dropped letters in real names stay above it ("smyth" / "smith" ≈ 0.89), while the score of
/// unrelated short tokens often lands between 0.5 and 0.8 and would add up to false similarity.
const TOKEN_FLOOR: f64 = 0.85;

/// Credit for an initial standing for a full token ("j" / "john"): it agrees with the name but
/// would agree with "jane" as well.
const INITIAL_CREDIT: f64 = 0.75;

/// Cost of each token one name has beyond the other ("maria garcia" / "maria elena garcia"):
/// intakes routinely omit middle names and second surnames, so the cost is small, but a longer
/// match is still better evidence.
const EXTRA_TOKEN_PENALTY: f64 = 0.05;

/// A one-token name matching one token of a longer name ("garcia" / "jose garcia") says little,
/// so its token-set score is scaled down far enough that it never reaches the threshold.
const SINGLE_TOKEN_FACTOR: f64 = 0.5;

// Evidence weights of the score (formula on `compare`). An A-number alone outweighs a date of
// birth with a perfect name (0.6 > 0.25 + 0.3), since it is the one identifier unique to a
// person; a docket is shared by co-defendants, so it weighs least.
const A_NUMBER_WEIGHT: f64 = 0.6;
const DATE_OF_BIRTH_WEIGHT: f64 = 0.25;
const NAME_WEIGHT: f64 = 0.3;
const DOCKET_WEIGHT: f64 = 0.15;
const DIFFERENT_DATE_OF_BIRTH_PENALTY: f64 = 0.3;

/// How much of a raw name is read. Real names are far shorter; the cap bounds the work of
/// comparing names a device sent, since Jaro-Winkler is quadratic in the length of its strings.
const MAX_NAME_CHARS: usize = 200;

/// How many names of one intake are kept, for the same reason: [`compare`] tries every pair.
const MAX_NAMES: usize = 16;

/// Suffixes and titles that some intakes carry and others omit, so they say nothing about
/// identity.
const DROPPED_TOKENS: [&str; 9] = ["jr", "sr", "ii", "iii", "iv", "mr", "mrs", "ms", "dr"];

/// What identifies a person for matching, normalised once per intake (stored by the server per
/// case).
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct PersonKeys {
    /// The normalised legal name first, then the normalised other names; empty names are dropped
    /// and repeats removed, and at most 16 are kept.
    pub names: Vec<String>,
    /// ISO `YYYY-MM-DD`, or `None` when absent or unparseable.
    pub date_of_birth: Option<String>,
    /// Nine digits, left-padded with zeros; `None` when absent or not a plausible A-number.
    pub a_number: Option<String>,
    /// Normalised docket numbers of the intake's offenses: sorted, without repeats.
    pub dockets: Vec<String>,
}

impl PersonKeys {
    /// Normalises the identifying fields of one intake.
    #[must_use]
    pub fn of(person: &Person, offenses: &[Offense]) -> Self {
        let mut names = Vec::new();
        for raw in person.legal_name.iter().chain(&person.other_names) {
            let name = normalise_name(raw);
            if !name.is_empty() && !names.contains(&name) && names.len() < MAX_NAMES {
                names.push(name);
            }
        }
        let dockets: BTreeSet<String> = offenses
            .iter()
            .filter_map(|offense| offense.docket_number.as_deref())
            .filter_map(normalise_docket)
            .collect();
        Self {
            names,
            date_of_birth: person
                .date_of_birth
                .as_deref()
                .and_then(normalise_date_of_birth),
            a_number: person.a_number.as_deref().and_then(normalise_a_number),
            dockets: dockets.into_iter().collect(),
        }
    }
}

/// The blocking keys of an intake: `(kind, value)` pairs the server indexes in SQL so candidates
/// are found without scanning a clinic.
///
/// Kinds are `"dob"`, `"a_number"` and `"docket"` (one pair per docket), in that order, and only
/// for keys present. Names are deliberately not a kind: every pair [`compare`] admits shares an
/// A-number, a date of birth or a docket, so looking up these keys finds every candidate.
#[must_use]
pub fn blocking_keys(keys: &PersonKeys) -> Vec<(&'static str, String)> {
    let mut blocks = Vec::with_capacity(2 + keys.dockets.len());
    if let Some(dob) = &keys.date_of_birth {
        blocks.push(("dob", dob.clone()));
    }
    if let Some(a_number) = &keys.a_number {
        blocks.push(("a_number", a_number.clone()));
    }
    blocks.extend(keys.dockets.iter().map(|docket| ("docket", docket.clone())));
    blocks
}

/// Normalises a name so spelling and formatting variants compare equal.
///
/// * Accents go (Unicode NFKD, combining marks dropped: "José" → "jose"), a few letters without
///   a decomposition are spelt out ("ø" → "o", "ß" → "ss"), and everything is lowercased.
/// * Apostrophes are removed, joining the fragments ("O'Brien" → "obrien"), because volunteers
///   type the name both with and without one and a split fragment ("o") would only look like an
///   initial.
/// * Every other character that is not a letter or digit separates words ("García-López" →
///   "garcia lopez").
/// * A single comma means "Last, First Middle" and is turned into "first middle last", unless
///   what follows it is only a suffix ("John Smith, Jr.").
/// * Suffixes and titles (jr, sr, ii, iii, iv, mr, mrs, ms, dr) are dropped; words are joined by
///   single spaces.
///
/// Only the first 200 characters are read.
#[must_use]
pub fn normalise_name(raw: &str) -> String {
    // Apostrophes are removed before NFKD too, because NFKD turns the acute accent "´" some
    // keyboards produce into a space followed by a combining mark.
    let mut folded = String::with_capacity(raw.len());
    for c in raw
        .chars()
        .take(MAX_NAME_CHARS)
        .filter(|&c| !is_apostrophe(c))
        .nfkd()
        .filter(|&c| !is_combining_mark(c) && !is_apostrophe(c))
        .flat_map(char::to_lowercase)
    {
        match spelt_out(c) {
            Some(spelling) => folded.push_str(spelling),
            None => folded.push(c),
        }
    }

    let mut parts = folded.split(',');
    let tokens: Vec<&str> = match (parts.next(), parts.next(), parts.next()) {
        (Some(last), Some(rest), None) => {
            let last = name_tokens(last);
            let rest = name_tokens(rest);
            let reordered = !last.is_empty() && !rest.is_empty();
            let (first, second) = if reordered {
                (rest, last)
            } else {
                (last, rest)
            };
            first.into_iter().chain(second).collect()
        }
        _ => name_tokens(&folded),
    };
    tokens.join(" ")
}

/// Normalises a date of birth to ISO `YYYY-MM-DD`.
///
/// Accepts `YYYY-MM-DD`, `YYYY/MM/DD`, `MM/DD/YYYY` and `MM-DD-YYYY` with one- or two-digit
/// months and days and surrounding whitespace; a four-digit part decides the order, and a date
/// with the year last is read month first, as US forms write it. Returns `None` for anything
/// else, including dates that do not exist ("1985-02-30").
#[must_use]
pub fn normalise_date_of_birth(raw: &str) -> Option<String> {
    let raw = raw.trim();
    let separator = raw.chars().find(|&c| c == '-' || c == '/')?;
    let parts: Vec<&str> = raw.split(separator).collect();
    let [first, second, third] = parts.as_slice() else {
        return None;
    };
    let (year, month, day) = if first.len() == 4 {
        (*first, *second, *third)
    } else if third.len() == 4 {
        (*third, *first, *second)
    } else {
        return None;
    };
    let short = |part: &str| (1..=2).contains(&part.len());
    if !short(month) || !short(day) {
        return None;
    }
    let year: i32 = parse_digits(year)?;
    let month = time::Month::try_from(parse_digits::<u8>(month)?).ok()?;
    let day: u8 = parse_digits(day)?;
    let date = time::Date::from_calendar_date(year, month, day).ok()?;
    Some(format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    ))
}

/// Why [`compare`] considers two intakes the same person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchReason {
    /// Both intakes carry the same A-number.
    SameANumber,
    /// Both intakes carry the same date of birth.
    SameDateOfBirth,
    /// The intakes share a docket number.
    SharedDocketNumber,
    /// Some name of one intake is close to some name of the other.
    SimilarName,
    /// Some name of one intake is, once normalised, a name of the other.
    SameName,
    /// Both dates of birth are known and differ (reported only beside an equal A-number).
    DifferentDateOfBirth,
}

/// A likely duplicate found by [`compare`].
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DuplicateMatch {
    /// Strength of the evidence, from [`MIN_SCORE`] to 1, rounded to three decimals.
    pub score: f64,
    /// Best similarity between a name of one intake and a name of the other, from 0 to 1,
    /// rounded to three decimals.
    pub name_similarity: f64,
    /// The evidence, in the order of [`MatchReason`]'s variants.
    pub reasons: Vec<MatchReason>,
}

/// Whether two intakes likely describe the same person; `None` means not a candidate.
///
/// A pair is a candidate when
/// * both A-numbers are known and equal (names may differ: an A-number is unique to a person,
///   and a mistyped date of birth is likelier than a shared number), or
/// * both dates of birth are known and equal and the names are similar, or
/// * the intakes share a docket number, the names are similar and the dates of birth do not
///   contradict each other.
///
/// Two known, different A-numbers rule a pair out, and so do two known, different dates of birth
/// without an equal A-number: equal names then most likely belong to two people.
///
/// The score adds 0.6 for an equal A-number, 0.25 for an equal date of birth, 0.3 × the name
/// similarity and 0.15 for a shared docket, caps the sum at 1, then subtracts 0.3 when the dates
/// of birth differ. Pairs scoring under [`MIN_SCORE`] are dropped. `compare(a, b)` equals
/// `compare(b, a)`.
#[must_use]
pub fn compare(a: &PersonKeys, b: &PersonKeys) -> Option<DuplicateMatch> {
    let same_a_number = match (&a.a_number, &b.a_number) {
        (Some(x), Some(y)) if x != y => return None,
        (Some(_), Some(_)) => true,
        _ => false,
    };
    let same_date_of_birth = match (&a.date_of_birth, &b.date_of_birth) {
        (Some(x), Some(y)) => Some(x == y),
        _ => None,
    };
    let different_date_of_birth = same_date_of_birth == Some(false);
    if different_date_of_birth && !same_a_number {
        return None;
    }
    let same_date_of_birth = same_date_of_birth == Some(true);
    let shared_docket = a.dockets.iter().any(|docket| b.dockets.contains(docket));

    let mut similarity: f64 = 0.0;
    let mut same_name = false;
    for x in &a.names {
        for y in &b.names {
            same_name |= x == y;
            similarity = similarity.max(name_similarity(x, y));
        }
    }
    let similar_names = similarity >= NAME_THRESHOLD;

    if !(same_a_number || (similar_names && (same_date_of_birth || shared_docket))) {
        return None;
    }

    let mut score = NAME_WEIGHT * similarity;
    let mut reasons = Vec::new();
    if same_a_number {
        score += A_NUMBER_WEIGHT;
        reasons.push(MatchReason::SameANumber);
    }
    if same_date_of_birth {
        score += DATE_OF_BIRTH_WEIGHT;
        reasons.push(MatchReason::SameDateOfBirth);
    }
    if shared_docket {
        score += DOCKET_WEIGHT;
        reasons.push(MatchReason::SharedDocketNumber);
    }
    if same_name {
        reasons.push(MatchReason::SameName);
    } else if similar_names {
        reasons.push(MatchReason::SimilarName);
    }
    score = score.min(1.0);
    if different_date_of_birth {
        score -= DIFFERENT_DATE_OF_BIRTH_PENALTY;
        reasons.push(MatchReason::DifferentDateOfBirth);
    }
    let score = round3(score);
    (score >= MIN_SCORE).then(|| DuplicateMatch {
        score,
        name_similarity: round3(similarity),
        reasons,
    })
}

/// Similarity of two normalised names, from 0 to 1: the better of Jaro-Winkler on the
/// token-sorted strings and a token-set measure.
///
/// The arguments are put in a fixed order first, because the greedy token assignment and
/// Jaro-Winkler's match search are not guaranteed to give the same result both ways round.
fn name_similarity(a: &str, b: &str) -> f64 {
    let (a, b) = if a <= b { (a, b) } else { (b, a) };
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    if a == b {
        return 1.0;
    }
    let mut a: Vec<&str> = a.split_whitespace().collect();
    let mut b: Vec<&str> = b.split_whitespace().collect();
    a.sort_unstable();
    b.sort_unstable();
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };

    let set = token_set_similarity(&short, &long);
    // Whole-string Jaro-Winkler alone rewards a shared surname that sorts first: "garcia jose"
    // and "garcia juan" share an 8-character prefix and score 0.89, which would pair
    // twins and co-defendants. So it only counts when each token has a close counterpart.
    let every_token_agrees = |from: &[&str], to: &[&str]| {
        from.iter()
            .all(|x| to.iter().any(|y| token_similarity(x, y) > 0.0))
    };
    let whole = if every_token_agrees(&short, &long) && every_token_agrees(&long, &short) {
        strsim::jaro_winkler(&short.join(" "), &long.join(" "))
    } else {
        0.0
    };
    set.max(whole)
}

/// How well the tokens of the shorter name are covered by distinct tokens of the longer one,
/// less a small cost per extra token; order does not matter, so "chen wei" equals "wei chen".
fn token_set_similarity(short: &[&str], long: &[&str]) -> f64 {
    let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
    for (i, x) in short.iter().enumerate() {
        for (j, y) in long.iter().enumerate() {
            let score = token_similarity(x, y);
            if score > 0.0 {
                pairs.push((score, i, j));
            }
        }
    }
    // Greedy, best pairs first: names have a handful of tokens, and a one-to-one assignment
    // keeps "maria maria" from covering "maria garcia" twice.
    pairs.sort_by(|x, y| y.0.total_cmp(&x.0).then((x.1, x.2).cmp(&(y.1, y.2))));
    let mut used_short = vec![false; short.len()];
    let mut used_long = vec![false; long.len()];
    let mut total = 0.0;
    for (score, i, j) in pairs {
        if !used_short[i] && !used_long[j] {
            used_short[i] = true;
            used_long[j] = true;
            total += score;
        }
    }
    let coverage = total / count(short.len());
    if short.len() == 1 && long.len() > 1 {
        coverage * SINGLE_TOKEN_FACTOR
    } else {
        let extra = count(long.len() - short.len());
        (coverage - EXTRA_TOKEN_PENALTY * extra).max(0.0)
    }
}

/// Similarity of two name tokens: 1 when equal, [`INITIAL_CREDIT`] for an initial, their
/// Jaro-Winkler score when it reaches [`TOKEN_FLOOR`], otherwise 0.
fn token_similarity(x: &str, y: &str) -> f64 {
    if x == y {
        return 1.0;
    }
    let is_initial_of = |initial: &str, word: &str| {
        initial.chars().count() == 1 && word.chars().count() > 1 && word.starts_with(initial)
    };
    if is_initial_of(x, y) || is_initial_of(y, x) {
        return INITIAL_CREDIT;
    }
    let (x, y) = if x <= y { (x, y) } else { (y, x) };
    let score = strsim::jaro_winkler(x, y);
    if score >= TOKEN_FLOOR { score } else { 0.0 }
}

/// Words of a folded name, without separators, suffixes or titles.
fn name_tokens(folded: &str) -> Vec<&str> {
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|token| !token.is_empty() && !DROPPED_TOKENS.contains(token))
        .collect()
}

/// Characters written as apostrophes in names, including the modifier letters some keyboards
/// substitute, which Unicode counts as letters.
fn is_apostrophe(c: char) -> bool {
    matches!(
        c,
        '\'' | '`' | '\u{b4}' | '\u{2018}' | '\u{2019}' | '\u{2bb}' | '\u{2bc}'
    )
}

/// Latin letters NFKD leaves whole, spelt the way they are commonly typed on keyboards without
/// them.
fn spelt_out(c: char) -> Option<&'static str> {
    Some(match c {
        'ø' => "o",
        'ł' => "l",
        'đ' | 'ð' => "d",
        'ħ' => "h",
        'ı' => "i",
        'ß' => "ss",
        'æ' => "ae",
        'œ' => "oe",
        'þ' => "th",
        _ => return None,
    })
}

/// The A-number's digits padded to nine, or `None` unless there are seven to nine of them.
///
/// Letters and separators are ignored ("A-012 345 678", "a12345678"). All zeros is a placeholder
/// for "unknown", not a number, and would otherwise pair every intake carrying it.
fn normalise_a_number(raw: &str) -> Option<String> {
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    if !(7..=9).contains(&digits.len()) || digits.bytes().all(|d| d == b'0') {
        return None;
    }
    Some(format!("{digits:0>9}"))
}

/// A docket number as uppercase ASCII letters and digits ("1:19-cr-00123" → "119CR00123").
///
/// Zeros are kept, so "1:19-cr-123" does not meet "1:19-cr-00123": which zeros are padding
/// depends on each court's format, and guessing would be wrong for some. A missed docket match
/// still leaves the date of birth and A-number to find the pair. A value without a digit ("N/A",
/// "unknown") is a placeholder, not a docket.
fn normalise_docket(raw: &str) -> Option<String> {
    let docket: String = raw
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    docket.bytes().any(|c| c.is_ascii_digit()).then_some(docket)
}

/// Parses a run of ASCII digits (`str::parse` would also accept a sign).
fn parse_digits<T: std::str::FromStr>(digits: &str) -> Option<T> {
    if digits.is_empty() || !digits.bytes().all(|d| d.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// A token count as a float; names never have anywhere near `u32::MAX` tokens.
fn count(n: usize) -> f64 {
    f64::from(u32::try_from(n).unwrap_or(u32::MAX))
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(legal_name: &str, other_names: &[&str], dob: Option<&str>) -> Person {
        Person {
            legal_name: Some(legal_name.to_owned()),
            other_names: other_names.iter().map(|&name| name.to_owned()).collect(),
            date_of_birth: dob.map(str::to_owned),
            ..Person::default()
        }
    }

    fn keys(legal_name: &str, dob: Option<&str>) -> PersonKeys {
        PersonKeys::of(&person(legal_name, &[], dob), &[])
    }

    fn with_a_number(mut keys: PersonKeys, raw: &str) -> PersonKeys {
        keys.a_number = normalise_a_number(raw);
        keys
    }

    fn with_dockets(legal_name: &str, dob: Option<&str>, dockets: &[&str]) -> PersonKeys {
        let offenses: Vec<Offense> = dockets
            .iter()
            .map(|&docket| Offense {
                docket_number: Some(docket.to_owned()),
                ..Offense::default()
            })
            .collect();
        PersonKeys::of(&person(legal_name, &[], dob), &offenses)
    }

    #[test]
    fn accents_hyphens_and_comma_order_are_normalised_away() {
        let cases = [
            ("Maria José García-López", "maria jose garcia lopez"),
            ("GARCIA LOPEZ, Maria Jose", "maria jose garcia lopez"),
            ("  John   SMITH  ", "john smith"),
            ("Smith, John Jr.", "john smith"),
            ("John Smith, Jr.", "john smith"),
            ("Dr. Ana Ruiz III", "ana ruiz"),
            ("O'Brien, Seán", "sean obrien"),
            ("O\u{2019}Brien", "obrien"),
            ("Øyvind Strauß", "oyvind strauss"),
            ("Smith, John, Paul", "smith john paul"),
            ("Smith,", "smith"),
            ("", ""),
            (" -- ", ""),
        ];
        for (raw, expected) in cases {
            assert_eq!(normalise_name(raw), expected, "normalising {raw:?}");
        }
    }

    #[test]
    fn dates_of_birth_in_common_formats_become_iso() {
        let cases = [
            ("1985-03-07", "1985-03-07"),
            ("1985/03/07", "1985-03-07"),
            ("03/07/1985", "1985-03-07"),
            ("3/7/1985", "1985-03-07"),
            ("03-07-1985", "1985-03-07"),
            ("  1985-03-07 ", "1985-03-07"),
            ("2000-02-29", "2000-02-29"),
        ];
        for (raw, expected) in cases {
            assert_eq!(
                normalise_date_of_birth(raw).as_deref(),
                Some(expected),
                "normalising {raw:?}"
            );
        }
    }

    #[test]
    fn impossible_or_unreadable_dates_of_birth_are_rejected() {
        for raw in [
            "1985-02-30",
            "13/01/1985",
            "",
            "yesterday",
            "1900-02-29",
            "1985-03",
            "85-03-07",
            "1985-03/07",
            "1985-+3-07",
            "1985-003-07",
            "07.03.1985",
        ] {
            assert_eq!(normalise_date_of_birth(raw), None, "normalising {raw:?}");
        }
    }

    #[test]
    fn a_numbers_are_padded_digits() {
        assert_eq!(
            normalise_a_number("A-012 345 678").as_deref(),
            Some("012345678")
        );
        assert_eq!(
            normalise_a_number("a12345678").as_deref(),
            Some("012345678")
        );
        assert_eq!(normalise_a_number("1234567").as_deref(), Some("001234567"));
        for raw in ["123456", "1234567890", "N/A", "A-000 000 000", ""] {
            assert_eq!(normalise_a_number(raw), None, "normalising {raw:?}");
        }
    }

    #[test]
    fn person_keys_collect_every_identifier_once() {
        let mut p = person(
            "García, José",
            &["Jose Garcia", "", "Pepe García"],
            Some("3/7/1985"),
        );
        p.a_number = Some("A 98 765 432".to_owned());
        let offenses = [
            Offense {
                docket_number: Some("2:20-cr-7".to_owned()),
                ..Offense::default()
            },
            Offense {
                docket_number: Some("1:19-cr-00123".to_owned()),
                ..Offense::default()
            },
            Offense {
                docket_number: Some("1 19 CR 00123".to_owned()),
                ..Offense::default()
            },
            Offense {
                docket_number: Some("N/A".to_owned()),
                ..Offense::default()
            },
            Offense::default(),
        ];

        let keys = PersonKeys::of(&p, &offenses);

        assert_eq!(
            keys,
            PersonKeys {
                names: vec!["jose garcia".to_owned(), "pepe garcia".to_owned()],
                date_of_birth: Some("1985-03-07".to_owned()),
                a_number: Some("098765432".to_owned()),
                dockets: vec!["119CR00123".to_owned(), "220CR7".to_owned()],
            }
        );
    }

    #[test]
    fn blocking_keys_list_present_keys_in_order() {
        let keys = PersonKeys {
            names: vec!["jose garcia".to_owned()],
            date_of_birth: Some("1985-03-07".to_owned()),
            a_number: Some("098765432".to_owned()),
            dockets: vec!["119CR00123".to_owned(), "220CR7".to_owned()],
        };

        assert_eq!(
            blocking_keys(&keys),
            vec![
                ("dob", "1985-03-07".to_owned()),
                ("a_number", "098765432".to_owned()),
                ("docket", "119CR00123".to_owned()),
                ("docket", "220CR7".to_owned()),
            ]
        );
        assert_eq!(blocking_keys(&PersonKeys::default()), vec![]);
    }

    #[test]
    fn reordered_accented_name_with_same_date_of_birth_is_a_candidate() {
        let a = keys("Maria José García-López", Some("1985-03-07"));
        let b = keys("GARCIA LOPEZ, Maria Jose", Some("03/07/1985"));

        let found = compare(&a, &b).expect("a candidate");

        assert!(found.reasons.contains(&MatchReason::SameDateOfBirth));
        assert!(found.reasons.contains(&MatchReason::SameName));
        assert!((found.score - 0.55).abs() < 1e-9, "{found:?}");
    }

    #[test]
    fn misspelt_name_with_same_date_of_birth_is_a_candidate() {
        let found = compare(
            &keys("Jon Smyth", Some("1980-01-01")),
            &keys("John Smith", Some("1980-01-01")),
        )
        .expect("a candidate");

        assert_eq!(
            found.reasons,
            [MatchReason::SameDateOfBirth, MatchReason::SimilarName]
        );
        assert!(found.name_similarity >= NAME_THRESHOLD, "{found:?}");
    }

    #[test]
    fn same_name_with_different_dates_of_birth_is_not_a_candidate() {
        let a = keys("John Smith", Some("1980-01-01"));
        let b = keys("John Smith", Some("1975-05-05"));

        assert_eq!(compare(&a, &b), None);
    }

    #[test]
    fn same_name_with_one_date_of_birth_missing_is_not_a_candidate() {
        let a = keys("John Smith", Some("1980-01-01"));
        let b = keys("John Smith", None);

        assert_eq!(compare(&a, &b), None);
    }

    #[test]
    fn an_other_name_can_be_the_same_name() {
        let a = PersonKeys::of(&person("Dana Lee", &["Dana Kim"], Some("1990-12-01")), &[]);
        let b = keys("Dana Kim", Some("1990-12-01"));

        let found = compare(&a, &b).expect("a candidate");

        assert_eq!(
            found.reasons,
            [MatchReason::SameDateOfBirth, MatchReason::SameName]
        );
        assert!((found.name_similarity - 1.0).abs() < 1e-9);
    }

    #[test]
    fn equal_a_numbers_pair_differently_written_names() {
        let a = with_a_number(keys("Wei Chen", None), "A-012 345 678");
        let b = with_a_number(keys("CHEN, Wei", None), "12345678");
        let c = with_a_number(keys("Chen Wei", None), "12345678");

        for (other, name_reason) in [(&b, MatchReason::SameName), (&c, MatchReason::SimilarName)] {
            let found = compare(&a, other).expect("a candidate");
            assert_eq!(found.reasons, [MatchReason::SameANumber, name_reason]);
            assert!((found.score - 0.9).abs() < 1e-9, "{found:?}");
        }
    }

    #[test]
    fn equal_a_numbers_survive_a_date_of_birth_typo_with_a_lower_score() {
        let a = with_a_number(keys("Wei Chen", Some("1979-04-02")), "A012345678");
        let b = with_a_number(keys("Wei Chen", Some("1979-02-04")), "012345678");

        let found = compare(&a, &b).expect("a candidate");

        assert_eq!(
            found.reasons,
            [
                MatchReason::SameANumber,
                MatchReason::SameName,
                MatchReason::DifferentDateOfBirth
            ]
        );
        assert!((found.score - 0.6).abs() < 1e-9, "{found:?}");
    }

    #[test]
    fn equal_a_numbers_contradicted_by_date_of_birth_and_name_are_dropped() {
        let a = with_a_number(keys("Wei Chen", Some("1979-04-02")), "A012345678");
        let b = with_a_number(keys("Olga Petrova", Some("1990-11-30")), "012345678");

        assert_eq!(compare(&a, &b), None);
    }

    #[test]
    fn different_a_numbers_are_different_people() {
        let a = with_a_number(keys("Wei Chen", Some("1979-04-02")), "A012345678");
        let b = with_a_number(keys("Wei Chen", Some("1979-04-02")), "A012345679");

        assert_eq!(compare(&a, &b), None);
    }

    #[test]
    fn a_shared_docket_in_another_format_pairs_similar_names() {
        let a = with_dockets("Jon Smyth", None, &["1:19-cr-00123"]);
        let b = with_dockets("John Smith", None, &["1 19 CR 00123", "2:21-cr-9"]);

        let found = compare(&a, &b).expect("a candidate");

        assert_eq!(
            found.reasons,
            [MatchReason::SharedDocketNumber, MatchReason::SimilarName]
        );
    }

    #[test]
    fn docket_numbers_keep_their_leading_zeros() {
        let a = with_dockets("John Smith", None, &["1:19-cr-00123"]);
        let b = with_dockets("John Smith", None, &["1:19-CR-123"]);

        assert_eq!(compare(&a, &b), None);
    }

    #[test]
    fn a_shared_docket_does_not_pair_co_defendants_or_contradicting_dates() {
        let jose = with_dockets("Jose Garcia", None, &["1:19-cr-00123"]);
        let juan = with_dockets("Juan Garcia", None, &["1:19-cr-00123"]);
        let older = with_dockets("Jose Garcia", Some("1970-01-01"), &["1:19-cr-00123"]);
        let younger = with_dockets("Jose Garcia", Some("1990-01-01"), &["1:19-cr-00123"]);

        assert_eq!(compare(&jose, &juan), None);
        assert_eq!(compare(&older, &younger), None);
        assert!(compare(&jose, &older).is_some());
    }

    #[test]
    fn name_similarity_tolerates_omissions_but_not_a_different_first_name() {
        let cases = [
            ("maria elena garcia", "maria garcia", 0.9, 1.0),
            ("maria garcia", "maria elena garcia lopez", 0.85, 0.95),
            ("maria e garcia", "maria elena garcia", 0.85, 0.95),
            ("j smith", "john smith", 0.85, 0.99),
            ("chen wei", "wei chen", 1.0, 1.0),
            ("jose garcia", "juan garcia", 0.0, 0.7),
            ("garcia", "jose garcia", 0.0, 0.7),
            ("maria garcia", "maria lopez", 0.0, 0.7),
            ("k smith", "john smith", 0.0, 0.7),
            ("", "john smith", 0.0, 0.0),
        ];
        for (a, b, low, high) in cases {
            let similarity = name_similarity(a, b);
            assert!(
                (low..=high).contains(&similarity),
                "{a:?} / {b:?} scored {similarity}, expected {low}..={high}"
            );
        }
    }

    #[test]
    fn compare_is_symmetric_and_found_pairs_share_a_blocking_key() {
        let intakes = [
            keys("Maria José García-López", Some("1985-03-07")),
            keys("GARCIA LOPEZ, Maria Jose", Some("03/07/1985")),
            keys("Maria Garcia", Some("1985-03-07")),
            keys("Jon Smyth", Some("1980-01-01")),
            keys("John Smith", Some("1980-01-01")),
            keys("John Smith", Some("1975-05-05")),
            keys("John Smith", None),
            keys("J. Smith", Some("1980-01-01")),
            PersonKeys::of(&person("Dana Lee", &["Dana Kim"], Some("1990-12-01")), &[]),
            keys("Dana Kim", Some("1990-12-01")),
            with_a_number(keys("Wei Chen", Some("1979-04-02")), "A-012 345 678"),
            with_a_number(keys("Chen Wei", Some("1979-02-04")), "12345678"),
            with_a_number(keys("Olga Petrova", None), "12345678"),
            with_a_number(keys("Wei Chen", Some("1979-04-02")), "A012345679"),
            with_dockets("Jon Smyth", None, &["1:19-cr-00123"]),
            with_dockets("John Smith", None, &["1 19 CR 00123"]),
            with_dockets("Juan Garcia", None, &["1:19-cr-00123"]),
            PersonKeys::default(),
        ];
        let mut found = 0;
        for a in &intakes {
            for b in &intakes {
                let forward = compare(a, b);
                assert_eq!(forward, compare(b, a), "comparing {a:?} and {b:?}");
                if let Some(pair) = forward {
                    found += 1;
                    assert!((MIN_SCORE..=1.0).contains(&pair.score), "{pair:?}");
                    let blocks = blocking_keys(b);
                    assert!(
                        blocking_keys(a).iter().any(|key| blocks.contains(key)),
                        "{a:?} and {b:?} share no blocking key"
                    );
                }
            }
        }
        assert!(found > intakes.len(), "only {found} pairs found");
    }

    #[test]
    fn stored_json_round_trips_and_reasons_are_snake_case() {
        let keys = with_a_number(keys("Wei Chen", Some("1979-04-02")), "A012345678");
        let reasons = [
            MatchReason::SameANumber,
            MatchReason::SameDateOfBirth,
            MatchReason::SharedDocketNumber,
            MatchReason::SimilarName,
            MatchReason::SameName,
            MatchReason::DifferentDateOfBirth,
        ];

        let stored = serde_json::to_value(&keys).expect("keys serialise");
        let words = serde_json::to_value(reasons).expect("reasons serialise");

        assert_eq!(
            serde_json::from_value::<PersonKeys>(stored).expect("keys deserialise"),
            keys
        );
        assert_eq!(
            words,
            serde_json::json!([
                "same_a_number",
                "same_date_of_birth",
                "shared_docket_number",
                "similar_name",
                "same_name",
                "different_date_of_birth"
            ])
        );
    }

    #[test]
    fn oversized_names_are_bounded() {
        let huge = "x".repeat(100_000);
        let many: Vec<String> = (0..100).map(|i| format!("name {i}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();

        let keys = PersonKeys::of(&person(&huge, &many, None), &[]);

        assert_eq!(keys.names.len(), MAX_NAMES);
        assert_eq!(keys.names[0].len(), MAX_NAME_CHARS);
    }
}
