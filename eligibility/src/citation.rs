//! Citation normalisation and extraction (`RULES.md` section 4).
//!
//! A citation as written on a court record ("21 U.S.C. §§ 846, 841(a)(1)", "Title 21, United
//! States Code, Section 844(a)", "D.C. Official Code § 48–904.01(d)(1)") is first rewritten into
//! a normal form (steps 1-9 of section 4), then split on spaces into tokens that a small hand-written
//! parser turns into canonical citations. Tokens are byte slices of one buffer, so extraction
//! allocates only the buffers and the list of citations; no regular expressions are involved.

use fieldclinic_schema::Jurisdiction;
use unicode_normalization::UnicodeNormalization;

/// The deepest subsection path kept (`(b)(2)(A)(i)...`); deeper paths are not citations we can
/// classify, and a fixed bound keeps a path allocation-free.
const MAX_PATH: usize = 8;

/// The code a citation belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// The United States Code.
    Usc,
    /// The Code of Federal Regulations.
    Cfr,
    /// The D.C. Code.
    DcCode,
    /// The Uniform Code of Military Justice.
    Ucmj,
}

/// A subsection path such as `(b)(2)`, as upper-case parts without parentheses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Path<'a> {
    parts: [&'a [u8]; MAX_PATH],
    len: usize,
}

impl<'a> Path<'a> {
    const EMPTY: Self = Self {
        parts: [&[]; MAX_PATH],
        len: 0,
    };

    fn push(&mut self, part: &'a [u8]) -> Option<()> {
        let slot = self.parts.get_mut(self.len)?;
        *slot = part;
        self.len += 1;
        Some(())
    }

    pub(crate) fn parts(&self) -> &[&'a [u8]] {
        &self.parts[..self.len]
    }
}

/// One canonical citation `(kind, title, section, subsection path)`. Section and path are upper
/// case, as in the normalised text; printing lower-cases them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Citation<'a> {
    pub(crate) kind: Kind,
    /// The title for U.S. Code and CFR citations; 0 for the D.C. Code and the UCMJ.
    pub(crate) title: u16,
    pub(crate) section: &'a [u8],
    pub(crate) path: Path<'a>,
}

impl Citation<'_> {
    /// Appends the canonical printing: `21 USC 844(a)`, `36 CFR 2.35(b)(2)`,
    /// `DC Code 48-904.01(d)(1)`, `UCMJ Art. 112a`.
    pub(crate) fn write_canonical(&self, out: &mut String) {
        use std::fmt::Write as _;
        match self.kind {
            Kind::Usc => {
                let _ = write!(out, "{} USC ", self.title);
            }
            Kind::Cfr => {
                let _ = write!(out, "{} CFR ", self.title);
            }
            Kind::DcCode => out.push_str("DC Code "),
            Kind::Ucmj => out.push_str("UCMJ Art. "),
        }
        push_lower(out, self.section);
        for part in self.path.parts() {
            out.push('(');
            push_lower(out, part);
            out.push(')');
        }
    }

    pub(crate) fn canonical(&self) -> String {
        let mut out = String::with_capacity(24);
        self.write_canonical(&mut out);
        out
    }
}

fn push_lower(out: &mut String, bytes: &[u8]) {
    // Sections and paths are ASCII by construction (the parsers accept only digits, letters, '.'
    // and '-').
    out.extend(bytes.iter().map(|b| char::from(b.to_ascii_lowercase())));
}

/// Reusable buffers for normalisation, so evaluating many offenses does not allocate per step.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    stage1: Vec<u8>,
    normal: Vec<u8>,
}

/// Returns the canonical citations found in `citation` as written, in the order they appear.
///
/// The jurisdiction matters only for the bare D.C. form (`48-904.01(d)(1)` with no code name),
/// which is read as the D.C. Code only when the court is D.C. Superior Court.
#[must_use]
pub fn canonical_citations(citation: &str, jurisdiction: Jurisdiction) -> Vec<String> {
    let mut scratch = Scratch::default();
    let normal = normalize(citation, &mut scratch);
    let mut found = Vec::new();
    extract(normal, jurisdiction, &mut found);
    found.iter().map(Citation::canonical).collect()
}

// ---------------------------------------------------------------------------------------------
// Normalisation (section 4, steps 1-9)

const fn is_word(b: u8) -> bool {
    // Non-ASCII bytes count as word bytes, so "not inside a longer word" also holds next to
    // letters outside ASCII.
    b.is_ascii_alphanumeric() || b >= 0x80
}

/// Steps 1-3: NFKC, dashes to '-', upper case, `§` and `,` to spaces, `;` as its own token.
fn push_stage1(out: &mut Vec<u8>, c: char) {
    let c = match c {
        '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
        c => c,
    };
    match c {
        '§' | ',' => out.push(b' '),
        ';' => out.extend_from_slice(b" ; "),
        c if c.is_ascii_whitespace() => out.push(b' '),
        c if c.is_ascii() => out.push((c as u8).to_ascii_uppercase()),
        c if c.is_whitespace() => out.push(b' '),
        c => {
            for u in c.to_uppercase() {
                let mut buf = [0u8; 4];
                out.extend_from_slice(u.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
}

/// Runs steps 1-9 and returns the normal form (upper-case words separated by single spaces).
pub(crate) fn normalize<'s>(input: &str, scratch: &'s mut Scratch) -> &'s [u8] {
    let Scratch { stage1, normal } = scratch;
    stage1.clear();
    normal.clear();
    if input.is_ascii() {
        // NFKC leaves ASCII unchanged; skipping it is the common, fast path.
        for b in input.bytes() {
            push_stage1(stage1, char::from(b));
        }
    } else {
        for c in input.nfkc() {
            push_stage1(stage1, c);
        }
    }
    rewrite_words(stage1, normal);
    tidy_spaces(normal);
    normal
}

/// Steps 4-7: deletes `SECTION`/`TITLE` words and rewrites the code names to `USC`, `CFR` and
/// `DCCODE`. Patterns are tried only at the start of a word, longest first.
fn rewrite_words(s: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    while i < s.len() {
        let b = s[i];
        let word_start = is_word(b) && (i == 0 || !is_word(s[i - 1]));
        if !word_start {
            out.push(b);
            i += 1;
            continue;
        }
        if let Some(end) = match_code_name(s, i) {
            out.extend_from_slice(end.1);
            i = end.0;
            continue;
        }
        if let Some(end) = match_deleted_word(s, i) {
            out.push(b' ');
            i = end;
            continue;
        }
        // An ordinary word: copy it whole, so no pattern starts inside it.
        let end = s[i..]
            .iter()
            .position(|b| !is_word(*b))
            .map_or(s.len(), |p| i + p);
        out.extend_from_slice(&s[i..end]);
        i = end;
    }
}

/// Step 4: `SECTION`, `SECTIONS`, `TITLE`, `SEC.`, `SECS.`; returns the end of the match.
fn match_deleted_word(s: &[u8], i: usize) -> Option<usize> {
    for w in [&b"SECTIONS"[..], b"SECTION", b"TITLE"] {
        if let Some(end) = whole_word(s, i, w) {
            return Some(end);
        }
    }
    for w in [&b"SECS."[..], b"SEC."] {
        if s[i..].starts_with(w) {
            return Some(i + w.len());
        }
    }
    None
}

/// Steps 5-7: the names of the codes; returns the end of the match and its replacement.
fn match_code_name(s: &[u8], i: usize) -> Option<(usize, &'static [u8])> {
    const USC: &[u8] = b" USC ";
    const CFR: &[u8] = b" CFR ";
    const DCCODE: &[u8] = b" DCCODE ";
    match s[i] {
        b'U' => {
            if let Some(end) = words(s, i, &[b"UNITED", b"STATES", b"CODE"]) {
                return Some((optional_word(s, end, b"ANNOTATED"), USC));
            }
            abbreviation(s, i, b"USCA")
                .or_else(|| abbreviation(s, i, b"USC"))
                .map(|e| (e, USC))
        }
        b'C' => words(s, i, &[b"CODE", b"OF", b"FEDERAL", b"REGULATIONS"])
            .or_else(|| abbreviation(s, i, b"CFR"))
            .map(|e| (e, CFR)),
        b'D' => dc_code(s, i)
            .or_else(|| whole_word(s, i, b"DCC"))
            .map(|e| (e, DCCODE)),
        _ => None,
    }
}

/// `D.C. CODE`, `DC CODE`, `D.C. OFFICIAL CODE`, `DC OFFICIAL CODE`, optionally followed by
/// `ANN.` or `ANNOTATED`.
fn dc_code(s: &[u8], i: usize) -> Option<usize> {
    let after_dc = abbreviation(s, i, b"DC")?;
    let mut j = skip_ws(s, after_dc);
    if j == after_dc && s.get(after_dc - 1) != Some(&b'.') {
        return None;
    }
    if let Some(end) = whole_word(s, j, b"OFFICIAL") {
        j = skip_ws(s, end);
    }
    let end = whole_word(s, j, b"CODE")?;
    let k = skip_ws(s, end);
    if k > end && s[k..].starts_with(b"ANN.") {
        return Some(k + 4);
    }
    Some(optional_word(s, end, b"ANNOTATED"))
}

/// An abbreviation whose letters may each be followed by a dot and a single space (`U.S.C.`,
/// `U. S. C.`, `USC`), not inside a longer word.
fn abbreviation(s: &[u8], i: usize, letters: &[u8]) -> Option<usize> {
    let mut j = i;
    let mut ended_with_dot = false;
    for (k, &letter) in letters.iter().enumerate() {
        if s.get(j) != Some(&letter) {
            return None;
        }
        j += 1;
        ended_with_dot = s.get(j) == Some(&b'.');
        if ended_with_dot {
            j += 1;
        }
        let next = letters.get(k + 1);
        if next.is_some() && s.get(j) == Some(&b' ') && s.get(j + 1) == next {
            j += 1;
        }
    }
    if !ended_with_dot && s.get(j).is_some_and(|b| is_word(*b)) {
        return None;
    }
    Some(j)
}

/// A word that is not the start of a longer word.
fn whole_word(s: &[u8], i: usize, word: &[u8]) -> Option<usize> {
    let end = i + word.len();
    (s.get(i..end) == Some(word) && !s.get(end).is_some_and(|b| is_word(*b))).then_some(end)
}

/// Whole words separated by at least one space.
fn words(s: &[u8], i: usize, list: &[&[u8]]) -> Option<usize> {
    let mut j = i;
    for (k, w) in list.iter().enumerate() {
        if k > 0 {
            let after = skip_ws(s, j);
            if after == j {
                return None;
            }
            j = after;
        }
        j = whole_word(s, j, w)?;
    }
    Some(j)
}

fn skip_ws(s: &[u8], mut i: usize) -> usize {
    while s.get(i) == Some(&b' ') {
        i += 1;
    }
    i
}

/// After a match ending at `end`: the end of `word` if it follows after spaces, else `end`.
fn optional_word(s: &[u8], end: usize, word: &[u8]) -> usize {
    let j = skip_ws(s, end);
    if j == end {
        return end;
    }
    whole_word(s, j, word).unwrap_or(end)
}

/// Steps 8-9, in place: removes spaces between a section number (or `)`) and `(`, collapses
/// runs of spaces and trims.
fn tidy_spaces(buf: &mut Vec<u8>) {
    let mut w = 0;
    let mut r = 0;
    while r < buf.len() {
        let b = buf[r];
        if b != b' ' {
            buf[w] = b;
            w += 1;
            r += 1;
            continue;
        }
        let next = skip_ws(buf, r);
        let glue = buf.get(next) == Some(&b'(') && w > 0 && ends_section(&buf[..w]);
        if w > 0 && next < buf.len() && !glue {
            buf[w] = b' ';
            w += 1;
        }
        r = next;
    }
    buf.truncate(w);
}

/// Whether the text so far ends with a section number (digits, optionally one glued letter) or a
/// closing parenthesis, so a following `(` continues it.
fn ends_section(s: &[u8]) -> bool {
    match s {
        [.., b')'] => true,
        [.., d] if d.is_ascii_digit() => true,
        [.., d, l] if d.is_ascii_digit() && l.is_ascii_alphabetic() => true,
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------------
// Extraction

/// Extracts the canonical citations from the normal form, appending them to `out`.
pub(crate) fn extract<'a>(
    normal: &'a [u8],
    jurisdiction: Jurisdiction,
    out: &mut Vec<Citation<'a>>,
) {
    let mut tokens: [&[u8]; 48] = [&[]; 48];
    let mut n = 0;
    let mut rest: Vec<&[u8]> = Vec::new();
    for t in normal.split(|b| *b == b' ').filter(|t| !t.is_empty()) {
        // Citations are short; a long free-text entry spills into a vector.
        if n < tokens.len() {
            tokens[n] = t;
            n += 1;
        } else {
            rest.push(t);
        }
    }
    if rest.is_empty() {
        extract_tokens(&tokens[..n], jurisdiction, out);
    } else {
        let mut all = tokens.to_vec();
        all.extend(rest);
        extract_tokens(&all, jurisdiction, out);
    }
}

fn extract_tokens<'a>(toks: &[&'a [u8]], jurisdiction: Jurisdiction, out: &mut Vec<Citation<'a>>) {
    let tok = |i: usize| toks.get(i).copied().unwrap_or(&[]);
    let has_ucmj = toks.iter().any(|t| *t == b"UCMJ");
    let has_article =
        (0..toks.len()).any(|i| is_article_word(tok(i)) && parse_article(tok(i + 1)).is_some());
    let mut i = 0;
    while i < toks.len() {
        let t = tok(i);
        if let Some(title) = parse_title(t) {
            if tok(i + 1) == b"USC" {
                i = take_usc_sections(toks, i + 2, title, out);
                continue;
            }
            if tok(i + 1) == b"CFR" {
                if let Some((section, path)) = parse_cfr_section(tok(i + 2)) {
                    out.push(Citation {
                        kind: Kind::Cfr,
                        title,
                        section,
                        path,
                    });
                    i += 3;
                } else {
                    i += 2;
                }
                continue;
            }
        }
        if t == b"DCCODE" {
            if let Some((section, path)) = parse_dc_section(tok(i + 1)) {
                out.push(Citation {
                    kind: Kind::DcCode,
                    title: 0,
                    section,
                    path,
                });
                i += 2;
            } else {
                i += 1;
            }
            continue;
        }
        if let Some(c) = parse_docket(t) {
            out.push(c);
            i += 1;
            continue;
        }
        if t == b"UCMJ" {
            // The bare token names the drug article (section 4: "the token `UCMJ` ... gives
            // `UCMJ Art. 112a`") unless an explicit article is cited with it.
            if !has_article && !out.iter().any(|c| c.kind == Kind::Ucmj) {
                out.push(ucmj(b"112A"));
            }
            i += 1;
            continue;
        }
        if is_article_word(t)
            && let Some(section) = parse_article(tok(i + 1))
        {
            // "Art. 112a" alone is the UCMJ drug article; any other article counts only when the
            // citation says UCMJ.
            if (has_ucmj || section == b"112A")
                && !out
                    .iter()
                    .any(|c| c.kind == Kind::Ucmj && c.section == section)
            {
                out.push(ucmj(section));
            }
            i += 2;
            continue;
        }
        i += 1;
    }
    if out.is_empty() && jurisdiction == Jurisdiction::DcSuperior {
        for t in toks {
            if let Some((section, path)) = parse_dc_section(t) {
                out.push(Citation {
                    kind: Kind::DcCode,
                    title: 0,
                    section,
                    path,
                });
            }
        }
    }
}

const fn ucmj(section: &[u8]) -> Citation<'_> {
    Citation {
        kind: Kind::Ucmj,
        title: 0,
        section,
        path: Path::EMPTY,
    }
}

/// `<title> USC <section> [AND|&] <section> ...`; returns the index after the last section taken.
fn take_usc_sections<'a>(
    toks: &[&'a [u8]],
    mut i: usize,
    title: u16,
    out: &mut Vec<Citation<'a>>,
) -> usize {
    let tok = |i: usize| toks.get(i).copied().unwrap_or(&[]);
    let mut first = true;
    loop {
        let mut k = i;
        if !first {
            while tok(k) == b"AND" || tok(k) == b"&" {
                k += 1;
            }
        }
        let Some((section, path)) = parse_usc_section(tok(k)) else {
            break;
        };
        // A number followed by USC or CFR is the title of the next citation.
        if !first && matches!(tok(k + 1), b"USC" | b"CFR") {
            break;
        }
        out.push(Citation {
            kind: Kind::Usc,
            title,
            section,
            path,
        });
        i = k + 1;
        first = false;
    }
    i
}

fn is_article_word(t: &[u8]) -> bool {
    matches!(t, b"ART." | b"ART" | b"ARTICLE")
}

/// A title: one to three digits.
fn parse_title(t: &[u8]) -> Option<u16> {
    if t.is_empty() || t.len() > 3 || !t.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(t.iter().fold(0u16, |acc, d| acc * 10 + u16::from(d - b'0')))
}

fn digits(t: &[u8], i: usize) -> usize {
    t[i..]
        .iter()
        .position(|b| !b.is_ascii_digit())
        .map_or(t.len(), |p| i + p)
}

/// `(x)` groups from `i`, then optional trailing dots, then the end of the token.
fn parse_groups<'a>(t: &'a [u8], mut i: usize, path: &mut Path<'a>) -> Option<()> {
    while t.get(i) == Some(&b'(') {
        let close = t[i + 1..].iter().position(|b| *b == b')')? + i + 1;
        let part = &t[i + 1..close];
        if part.is_empty() || !part.iter().all(u8::is_ascii_alphanumeric) {
            return None;
        }
        path.push(part)?;
        i = close + 1;
    }
    t[i..].iter().all(|b| *b == b'.').then_some(())
}

/// A U.S. Code section: digits plus an optional letter glued to them (`844A` is section `844a`),
/// then the subsection path.
fn parse_usc_section(t: &[u8]) -> Option<(&[u8], Path<'_>)> {
    let end = digits(t, 0);
    if end == 0 {
        return None;
    }
    let end = if t.get(end).is_some_and(u8::is_ascii_alphabetic) {
        end + 1
    } else {
        end
    };
    let mut path = Path::EMPTY;
    parse_groups(t, end, &mut path)?;
    Some((&t[..end], path))
}

/// The docket form `21:844(a)`: a one- or two-digit title, a colon and a section whose trailing
/// letter is a subsection (`21:844A` is `21 USC 844(a)`).
fn parse_docket(t: &[u8]) -> Option<Citation<'_>> {
    let colon = t.iter().position(|b| *b == b':')?;
    if !(1..=2).contains(&colon) {
        return None;
    }
    let title = parse_title(&t[..colon])?;
    let start = colon + 1;
    let end = digits(t, start);
    if end == start {
        return None;
    }
    let mut path = Path::EMPTY;
    let mut i = end;
    if t.get(i).is_some_and(u8::is_ascii_alphabetic) {
        path.push(&t[i..=i])?;
        i += 1;
    }
    parse_groups(t, i, &mut path)?;
    Some(Citation {
        kind: Kind::Usc,
        title,
        section: &t[start..end],
        path,
    })
}

/// A CFR section: digits with `.` or `-` groups (`2.35`, `102-74.400`, `8365.1-4`).
fn parse_cfr_section(t: &[u8]) -> Option<(&[u8], Path<'_>)> {
    let mut end = digits(t, 0);
    if end == 0 {
        return None;
    }
    while matches!(t.get(end), Some(b'.' | b'-')) && t.get(end + 1).is_some_and(u8::is_ascii_digit)
    {
        end = digits(t, end + 1);
    }
    let mut path = Path::EMPTY;
    parse_groups(t, end, &mut path)?;
    Some((&t[..end], path))
}

/// A D.C. Code section `nn-nnn[.nn]`.
fn parse_dc_section(t: &[u8]) -> Option<(&[u8], Path<'_>)> {
    let a = digits(t, 0);
    if a == 0 || t.get(a) != Some(&b'-') {
        return None;
    }
    let mut end = digits(t, a + 1);
    if end == a + 1 {
        return None;
    }
    if t.get(end) == Some(&b'.') && t.get(end + 1).is_some_and(u8::is_ascii_digit) {
        end = digits(t, end + 1);
    }
    let mut path = Path::EMPTY;
    parse_groups(t, end, &mut path)?;
    Some((&t[..end], path))
}

/// A UCMJ article number such as `112A`.
fn parse_article(t: &[u8]) -> Option<&[u8]> {
    let end = digits(t, 0);
    if end == 0 {
        return None;
    }
    let end = if t.get(end).is_some_and(u8::is_ascii_alphabetic) {
        end + 1
    } else {
        end
    };
    t[end..].iter().all(|b| *b == b'.').then_some(&t[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(s: &str) -> Vec<String> {
        canonical_citations(s, Jurisdiction::Federal)
    }

    fn normal(s: &str) -> String {
        let mut scratch = Scratch::default();
        String::from_utf8_lossy(normalize(s, &mut scratch)).into_owned()
    }

    #[test]
    fn every_written_form_of_21_usc_844_normalises_to_the_canonical_form() {
        for (written, expected) in [
            ("21 USC 844", "21 USC 844"),
            ("21 U.S.C. 844", "21 USC 844"),
            ("21 U.S.C. § 844(a)", "21 USC 844(a)"),
            ("21 USC §844(a)", "21 USC 844(a)"),
            ("21 U.S.C.A. § 844", "21 USC 844"),
            ("21 USCA 844", "21 USC 844"),
            ("21 U. S. C. 844", "21 USC 844"),
            (
                "Title 21, United States Code, Section 844(a)",
                "21 USC 844(a)",
            ),
            (
                "Title 21 United States Code Annotated Section 844",
                "21 USC 844",
            ),
            ("21 U.S.C. § 844 (a)", "21 USC 844(a)"),
            ("21:844(a)", "21 USC 844(a)"),
            ("21 u.s.c. sec. 844(a)", "21 USC 844(a)"),
            ("21 U.S.C. 844.", "21 USC 844"),
        ] {
            assert_eq!(canon(written), vec![expected.to_owned()], "{written}");
        }
    }

    #[test]
    fn a_letter_glued_to_the_section_is_a_different_section() {
        assert_eq!(canon("21 U.S.C. § 844a"), vec!["21 USC 844a"]);
    }

    #[test]
    fn a_docket_letter_is_read_as_a_subsection() {
        assert_eq!(canon("21:844A"), vec!["21 USC 844(a)"]);
        assert_eq!(canon("21:844A(1)"), vec!["21 USC 844(a)(1)"]);
    }

    #[test]
    fn double_section_signs_list_several_sections_under_one_title() {
        assert_eq!(
            canon("21 U.S.C. §§ 846, 841(a)(1)"),
            vec!["21 USC 846", "21 USC 841(a)(1)"]
        );
        assert_eq!(
            canon("21 USC 846, 844(a)"),
            vec!["21 USC 846", "21 USC 844(a)"]
        );
        assert_eq!(
            canon("21 U.S.C. §§ 846 and 844"),
            vec!["21 USC 846", "21 USC 844"]
        );
        assert_eq!(
            canon("21 U.S.C. §§ 846 & 844"),
            vec!["21 USC 846", "21 USC 844"]
        );
    }

    #[test]
    fn a_number_followed_by_a_code_name_starts_a_new_citation() {
        assert_eq!(canon("21 USC 846 18 USC 2"), vec!["21 USC 846", "18 USC 2"]);
        assert_eq!(
            canon("16 USC 3 36 CFR 2.35(b)(2)"),
            vec!["16 USC 3", "36 CFR 2.35(b)(2)"]
        );
        assert_eq!(
            canon("21 USC 846 21:844(a)"),
            vec!["21 USC 846", "21 USC 844(a)"]
        );
    }

    #[test]
    fn semicolons_separate_citations() {
        assert_eq!(
            canon("16 U.S.C. § 3; 36 C.F.R. § 2.35(b)(2)"),
            vec!["16 USC 3", "36 CFR 2.35(b)(2)"]
        );
    }

    #[test]
    fn dc_code_forms_with_dashes_normalise() {
        for written in [
            "D.C. Code § 48-904.01(d)(1)",
            "DC Code 48-904.01(d)(1)",
            "D.C. Official Code § 48–904.01(d)(1)",
            "D.C. Official Code Ann. § 48—904.01(d)(1)",
            "DC Official Code Annotated 48‐904.01 (d) (1)",
            "DCC 48−904.01(d)(1)",
            "D.C.Code 48-904.01(d)(1)",
        ] {
            assert_eq!(canon(written), vec!["DC Code 48-904.01(d)(1)"], "{written}");
        }
        assert_eq!(canon("D.C. Code § 48-904.09"), vec!["DC Code 48-904.09"]);
    }

    #[test]
    fn the_bare_dc_form_is_read_only_in_dc_superior_court() {
        assert_eq!(
            canonical_citations("48-904.01(d)(1)", Jurisdiction::DcSuperior),
            vec!["DC Code 48-904.01(d)(1)"]
        );
        assert!(canonical_citations("48-904.01(d)(1)", Jurisdiction::Federal).is_empty());
        assert!(canonical_citations("48-904.01(d)(1)", Jurisdiction::Unknown).is_empty());
    }

    #[test]
    fn cfr_forms_normalise() {
        for (written, expected) in [
            ("25 C.F.R. § 11.452(a)", "25 CFR 11.452(a)"),
            ("32 C.F.R. § 1903.12(b)(2)", "32 CFR 1903.12(b)(2)"),
            ("36 CFR 2.35 (b)(2)", "36 CFR 2.35(b)(2)"),
            ("36 CFR 1002.35(b)(2)", "36 CFR 1002.35(b)(2)"),
            ("36 C.F.R. 1280.16(a)(1)", "36 CFR 1280.16(a)(1)"),
            ("36 CFR 702.6(b)", "36 CFR 702.6(b)"),
            ("41 C.F.R. § 102–74.400(a)", "41 CFR 102-74.400(a)"),
            ("43 C.F.R. § 8365.1-4(b)(2)", "43 CFR 8365.1-4(b)(2)"),
            ("50 C.F.R. 27.82(b)(2)", "50 CFR 27.82(b)(2)"),
            (
                "Title 36, Code of Federal Regulations, Section 2.35(b)(2)",
                "36 CFR 2.35(b)(2)",
            ),
            ("36 CFR 2.35", "36 CFR 2.35"),
        ] {
            assert_eq!(canon(written), vec![expected.to_owned()], "{written}");
        }
    }

    #[test]
    fn ucmj_forms_give_article_112a() {
        for written in [
            "UCMJ Art. 112a",
            "Article 112a, UCMJ",
            "Art. 112a",
            "UCMJ",
            "ucmj article 112A",
        ] {
            assert_eq!(canon(written), vec!["UCMJ Art. 112a"], "{written}");
        }
        assert_eq!(canon("UCMJ Art. 92"), vec!["UCMJ Art. 92"]);
        assert!(canon("Art. 92").is_empty());
        assert_eq!(canon("10 U.S.C. § 912a"), vec!["10 USC 912a"]);
    }

    #[test]
    fn state_citations_yield_nothing() {
        assert!(canon("Cal. Health & Safety Code § 11357(b)").is_empty());
        assert!(canon("possession of marijuana").is_empty());
        assert!(canon("").is_empty());
    }

    #[test]
    fn code_names_are_not_matched_inside_longer_words() {
        assert!(canon("21 FUSC 844").is_empty());
        assert!(canon("21 USCX 844").is_empty());
        assert_eq!(normal("BUSCAR"), "BUSCAR");
    }

    #[test]
    fn full_width_and_non_breaking_forms_are_folded_by_nfkc() {
        assert_eq!(
            canon("２１\u{a0}U.S.C.\u{a0}§\u{a0}８４４（a）"),
            vec!["21 USC 844(a)"]
        );
    }

    #[test]
    fn normal_form_follows_the_steps_of_section_4() {
        assert_eq!(
            normal("Title 21, United States Code, Section 844 (a) (1)"),
            "21 USC 844(A)(1)"
        );
        assert_eq!(
            normal("16 U.S.C. § 3; 36 C.F.R. § 2.35(b)(2)"),
            "16 USC 3 ; 36 CFR 2.35(B)(2)"
        );
        assert_eq!(
            normal("D.C. Official Code § 48–904.01(d)(1)"),
            "DCCODE 48-904.01(D)(1)"
        );
    }

    #[test]
    fn overly_deep_paths_and_malformed_groups_are_not_citations() {
        assert!(canon("21 USC 844(a)(b)(c)(d)(e)(f)(g)(h)(i)").is_empty());
        assert!(canon("21 USC 844(a").is_empty());
        assert!(canon("21 USC 844()").is_empty());
    }

    mod properties {
        use proptest::prelude::*;

        use super::*;

        proptest! {
            #[test]
            fn any_text_normalises_without_panicking(s in any::<String>()) {
                for j in Jurisdiction::ALL {
                    let _ = canonical_citations(&s, *j);
                }
            }

            #[test]
            fn citation_like_text_normalises_without_panicking(
                s in "[0-9A-Za-z .§:;,()&\\-–]{0,40}"
            ) {
                let _ = canonical_citations(&s, Jurisdiction::DcSuperior);
            }

            #[test]
            fn a_canonical_citation_normalises_to_itself(
                written in concat!(
                    "([0-9]{1,2} (U\\.S\\.C\\.|USC|U\\.S\\.C\\.A\\.) §{0,2} ?[0-9]{1,4}[a-z]?",
                    "|[0-9]{1,2} C\\.F\\.R\\. § [0-9]{1,4}(\\.[0-9]{1,3})?(-[0-9]{1,2})?",
                    "|D\\.C\\. Code § [0-9]{2}[-–][0-9]{3}(\\.[0-9]{2})?)",
                    "( ?\\([a-z0-9]{1,2}\\)){0,3}"
                )
            ) {
                let found = canonical_citations(&written, Jurisdiction::Federal);
                prop_assert_eq!(found.len(), 1, "{:?} gave {:?}", written, found);
                let again = canonical_citations(&found[0], Jurisdiction::Federal);
                prop_assert_eq!(again, found);
            }
        }
    }
}
