//! Citation normalisation and extraction (`RULES.md` section 4).
//!
//! A citation as written on a court record ("21 U.S.C. §§ 846, 841(a)(1)", "Title 21, United
//! States Code, Section 844(a)", "D.C. Official Code § 48–904.01(d)(1)") is first rewritten into
//! a normal form (steps 1-11 of section 4), then split on spaces into tokens that a small
//! hand-written parser turns into canonical citations. Tokens are byte slices of one buffer, so
//! extraction allocates only the buffers and the list of citations; no regular expressions are
//! involved.
//!
//! Every punctuation character other than `.`, `-`, `:`, `&` and subsection parentheses only
//! separates, so a citation glued to a bracket, a quotation mark or a `/` is still read. Tokens
//! the parser could not use are checked for code names (`USC`, `ART.`, `CODE`, ...): such a
//! token means part of the citation names a code that was not read, which the caller must
//! report rather than drop (RULES.md R14).

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
    pub(crate) title: u32,
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

/// Reusable buffers for normalisation and extraction, so evaluating many offenses does not
/// allocate per step.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    stage1: Vec<u8>,
    normal: Vec<u8>,
    /// Per token: whether an extracted citation used it.
    consumed: Vec<bool>,
}

/// What [`read`] found besides the citations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Extraction {
    /// The number of tokens after normalisation; 0 means the citation is missing (only spaces
    /// and separators).
    pub(crate) tokens: usize,
    /// A token that names a code was not part of any extracted citation (section 4, "Unparsed
    /// code names").
    pub(crate) unparsed_code_name: bool,
}

/// Normalises `input` and extracts its canonical citations into `out`, in the order they appear.
pub(crate) fn read<'s>(
    input: &str,
    jurisdiction: Jurisdiction,
    scratch: &'s mut Scratch,
    out: &mut Vec<Citation<'s>>,
) -> Extraction {
    let Scratch {
        stage1,
        normal,
        consumed,
    } = scratch;
    normalize_into(input, stage1, normal);
    extract(normal, jurisdiction, out, consumed)
}

/// Returns the canonical citations found in `citation` as written, in the order they appear.
///
/// The jurisdiction matters only for the bare D.C. form (`48-904.01(d)(1)` with no code name),
/// which is read as the D.C. Code only when the court is D.C. Superior Court.
#[must_use]
pub fn canonical_citations(citation: &str, jurisdiction: Jurisdiction) -> Vec<String> {
    let mut scratch = Scratch::default();
    let mut found = Vec::new();
    read(citation, jurisdiction, &mut scratch, &mut found);
    found.iter().map(Citation::canonical).collect()
}

// ---------------------------------------------------------------------------------------------
// Normalisation (section 4, steps 1-11)

const fn is_word(b: u8) -> bool {
    // After step 3 only ASCII is left, so a word is a run of ASCII letters and digits.
    b.is_ascii_alphanumeric()
}

/// Steps 1-3 for one character (after NFKC): dashes to `-`, upper case, and every character
/// other than an ASCII letter or digit, a space, `.`, `-`, `:`, `&`, `(` or `)` to a space;
/// `&` gets a space on each side.
fn push_stage1(out: &mut Vec<u8>, c: char) {
    let c = match c {
        '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
        c => c,
    };
    if c.is_ascii() {
        push_ascii(out, c as u8);
        return;
    }
    // Upper-casing can give ASCII (`ſ` is `S`), so the filter runs after it, as in the steps.
    for u in c.to_uppercase() {
        if u.is_ascii() {
            push_ascii(out, u as u8);
        } else {
            out.push(b' ');
        }
    }
}

fn push_ascii(out: &mut Vec<u8>, b: u8) {
    match b.to_ascii_uppercase() {
        b @ (b'A'..=b'Z' | b'0'..=b'9' | b' ' | b'.' | b'-' | b':' | b'(' | b')') => out.push(b),
        b'&' => out.extend_from_slice(b" & "),
        _ => out.push(b' '),
    }
}

/// Runs steps 1-11 and returns the normal form (upper-case tokens separated by single spaces).
#[cfg(test)]
pub(crate) fn normalize<'s>(input: &str, scratch: &'s mut Scratch) -> &'s [u8] {
    normalize_into(input, &mut scratch.stage1, &mut scratch.normal);
    &scratch.normal
}

fn normalize_into(input: &str, stage1: &mut Vec<u8>, normal: &mut Vec<u8>) {
    stage1.clear();
    normal.clear();
    if input.is_ascii() {
        // NFKC leaves ASCII unchanged; skipping it is the common, fast path.
        for b in input.bytes() {
            push_ascii(stage1, b);
        }
    } else {
        for c in input.nfkc() {
            push_stage1(stage1, c);
        }
    }
    rewrite_words(stage1, normal);
    glue_groups(normal);
    stage1.clear();
    keep_subsection_groups(normal, stage1);
    normal.clear();
    keep_number_punctuation(stage1, normal);
    collapse_spaces(normal);
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
    const UCMJ: &[u8] = b" UCMJ ";
    match s[i] {
        b'U' => {
            if let Some(end) = words(s, i, &[b"UNITED", b"STATES", b"CODE"]) {
                return Some((optional_word(s, end, b"ANNOTATED"), USC));
            }
            // Not in the list of steps 5-7, but `U.C.M.J.` or `UCMJ.` would otherwise fall
            // apart into letters or keep its dot, and the UCMJ named that way would be dropped
            // (R14).
            if let Some(end) = abbreviation(s, i, b"UCMJ") {
                return Some((end, UCMJ));
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

/// Step 8, in place: removes the spaces between a section number (or a `)`) and `(`, so
/// `844 (A)` becomes `844(A)`; also collapses runs of spaces.
fn glue_groups(buf: &mut Vec<u8>) {
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

/// Step 9: keeps a `(` only when it opens a subsection group (`(`, letters or digits, `)`)
/// written directly after a digit, after a letter that follows a digit, or after a kept group;
/// every other parenthesis becomes a space. So `(21 USC 844)` loses its brackets and
/// `844(A)(1)` keeps its groups.
///
/// A group whose content is a code name (`844(UCMJ)`) is not kept either: keeping it would hide
/// the code name inside a subsection path, and R14 says no code name is silently dropped. No
/// real subsection is spelled like a code name, so this refines step 9 without changing any
/// subsection it keeps.
fn keep_subsection_groups(s: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'(' => {
                let after_number = ends_section(out);
                let len = s[i + 1..]
                    .iter()
                    .position(|b| !b.is_ascii_alphanumeric())
                    .unwrap_or(s.len() - i - 1);
                let close = i + 1 + len;
                let content = &s[i + 1..close];
                if after_number && len > 0 && s.get(close) == Some(&b')') && !is_code_name(content)
                {
                    out.extend_from_slice(&s[i..=close]);
                    i = close + 1;
                    continue;
                }
                out.push(b' ');
            }
            // Every `)` of a kept group was copied with it.
            b')' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
}

/// Step 10: keeps a `-` or `:` only between two digits (`48-904.01`, `21:844`), and a `.` only
/// between two digits (`2.35`) or at the end of a token without digits (`ART.`, `POSS.`); every
/// other `-`, `:` or `.` becomes a space.
///
/// A token of dots alone (`.`, `...`) has no letters either: it abbreviates nothing, so its dots
/// separate like any other punctuation and a citation of only dots is missing.
fn keep_number_punctuation(s: &[u8], out: &mut Vec<u8>) {
    let mut start = 0;
    while start < s.len() {
        let end = s[start..]
            .iter()
            .position(|b| *b == b' ')
            .map_or(s.len(), |p| start + p);
        let token = &s[start..end];
        let has_digit = token.iter().any(u8::is_ascii_digit);
        let has_letter = token.iter().any(u8::is_ascii_alphabetic);
        for (k, &b) in token.iter().enumerate() {
            let between_digits = k > 0
                && token[k - 1].is_ascii_digit()
                && token.get(k + 1).is_some_and(u8::is_ascii_digit);
            let keep = match b {
                b'-' | b':' => between_digits,
                b'.' => between_digits || (k + 1 == token.len() && !has_digit && has_letter),
                _ => true,
            };
            out.push(if keep { b } else { b' ' });
        }
        if end < s.len() {
            out.push(b' ');
        }
        start = end + 1;
    }
}

/// Step 11, in place: collapses runs of spaces and trims.
fn collapse_spaces(buf: &mut Vec<u8>) {
    let mut w = 0;
    let mut r = 0;
    while r < buf.len() {
        if buf[r] == b' ' {
            let next = skip_ws(buf, r);
            if w > 0 && next < buf.len() {
                buf[w] = b' ';
                w += 1;
            }
            r = next;
        } else {
            buf[w] = buf[r];
            w += 1;
            r += 1;
        }
    }
    buf.truncate(w);
}

/// Whether a token (dots ignored) names a code: `USC`, `USCA`, `USCS`, `CFR`, `DCCODE`, `DCC`,
/// `UCMJ`, `ART`, `ARTS`, `ARTICLE`, `ARTICLES`, `STAT`, `CODE` or any word ending in `CODE`
/// (section 4, "Unparsed code names"). This list is data: extend it from legal review.
pub(crate) fn is_code_name(token: &[u8]) -> bool {
    const NAMES: [&[u8]; 12] = [
        b"USC",
        b"USCA",
        b"USCS",
        b"CFR",
        b"DCC",
        b"UCMJ",
        b"ART",
        b"ARTS",
        b"ARTICLE",
        b"ARTICLES",
        b"STAT",
        b"CODE",
    ];
    let letters = || token.iter().copied().filter(|b| *b != b'.');
    let len = letters().count();
    NAMES.iter().any(|name| letters().eq(name.iter().copied()))
        || (len >= 4 && letters().skip(len - 4).eq(b"CODE".iter().copied()))
}

// ---------------------------------------------------------------------------------------------
// Extraction

/// Extracts the canonical citations from the normal form, appending them to `out`; reports the
/// number of tokens and whether an unconsumed token names a code.
fn extract<'a>(
    normal: &'a [u8],
    jurisdiction: Jurisdiction,
    out: &mut Vec<Citation<'a>>,
    consumed: &mut Vec<bool>,
) -> Extraction {
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
        extract_tokens(&tokens[..n], jurisdiction, out, consumed)
    } else {
        let mut all = tokens.to_vec();
        all.extend(rest);
        extract_tokens(&all, jurisdiction, out, consumed)
    }
}

fn extract_tokens<'a>(
    toks: &[&'a [u8]],
    jurisdiction: Jurisdiction,
    out: &mut Vec<Citation<'a>>,
    consumed: &mut Vec<bool>,
) -> Extraction {
    let tok = |i: usize| toks.get(i).copied().unwrap_or(&[]);
    consumed.clear();
    consumed.resize(toks.len(), false);
    let has_ucmj = toks.iter().any(|t| *t == b"UCMJ");
    let has_article =
        (0..toks.len()).any(|i| is_article_word(tok(i)) && parse_article(tok(i + 1)).is_some());
    let mut i = 0;
    while i < toks.len() {
        let t = tok(i);
        if let Some(title) = parse_title(t) {
            let kind = match tok(i + 1) {
                b"USC" => Some(Kind::Usc),
                b"CFR" => Some(Kind::Cfr),
                _ => None,
            };
            if let Some(kind) = kind {
                let end = take_sections(toks, i + 2, kind, title, out);
                if end > i + 2 {
                    consumed[i..end].fill(true);
                    i = end;
                    continue;
                }
                // No section: the code name stays unconsumed and is reported.
            }
        }
        if t == b"DCCODE" {
            let end = take_sections(toks, i + 1, Kind::DcCode, 0, out);
            if end > i + 1 {
                consumed[i..end].fill(true);
                i = end;
                continue;
            }
        }
        if let Some(c) = parse_docket(t) {
            out.push(c);
            consumed[i] = true;
            i += 1;
            continue;
        }
        if t == b"UCMJ" {
            consumed[i] = true;
            // The bare token names the drug article (section 4: "`UCMJ` alone gives `UCMJ Art.
            // 112a`") unless an article is cited with it.
            if !has_article && !out.iter().any(|c| c.kind == Kind::Ucmj) {
                out.push(ucmj(b"112A", Path::EMPTY));
            }
            i += 1;
            continue;
        }
        if is_article_word(t)
            && let Some((section, path)) = parse_article(tok(i + 1))
            // "Art. 112a" alone is the UCMJ drug article; any other article counts only when
            // the citation says UCMJ, else its "ART." stays an unparsed code name.
            && (has_ucmj || section == b"112A")
        {
            if !out
                .iter()
                .any(|c| c.kind == Kind::Ucmj && c.section == section && c.path == path)
            {
                out.push(ucmj(section, path));
            }
            consumed[i] = true;
            consumed[i + 1] = true;
            i += 2;
            continue;
        }
        i += 1;
    }
    if out.is_empty() && jurisdiction == Jurisdiction::DcSuperior {
        for (k, t) in toks.iter().enumerate() {
            if let Some((section, path)) = parse_dc_section(t) {
                out.push(Citation {
                    kind: Kind::DcCode,
                    title: 0,
                    section,
                    path,
                });
                consumed[k] = true;
            }
        }
    }
    Extraction {
        tokens: toks.len(),
        unparsed_code_name: toks
            .iter()
            .zip(consumed.iter())
            .any(|(t, used)| !used && is_code_name(t)),
    }
}

const fn ucmj<'a>(section: &'a [u8], path: Path<'a>) -> Citation<'a> {
    Citation {
        kind: Kind::Ucmj,
        title: 0,
        section,
        path,
    }
}

type SectionParser = fn(&[u8]) -> Option<(&[u8], Path<'_>)>;

/// Whether `toks[k..]` is a complete `<title> USC|CFR <section>` citation whose section is not
/// itself the title of a further complete citation.
fn starts_citation(toks: &[&[u8]], k: usize) -> bool {
    let tok = |i: usize| toks.get(i).copied().unwrap_or(&[]);
    let section: SectionParser = match tok(k + 1) {
        b"USC" => parse_usc_section,
        b"CFR" => parse_cfr_section,
        _ => return false,
    };
    // Only a number that can be a real title counts here (U.S. Code titles run to 54, CFR
    // titles to 50), so `21 USC 860 C.F.R. 18 U.S.C.` keeps 860. When the section is itself the
    // title of a complete citation (`3 C.F.R. 25 C.F.R. 11.452(a)`), the code name between
    // them dangles and the number before it is a section.
    let real_title = tok(k).len() <= 2 && parse_title(tok(k)).is_some();
    real_title && section(tok(k + 2)).is_some() && !starts_citation(toks, k + 2)
}

/// `<section> [AND|&] <section> ...` after `<title> USC`, `<title> CFR` or `DCCODE`; returns the
/// index after the last section taken (`i` itself when there is none).
fn take_sections<'a>(
    toks: &[&'a [u8]],
    mut i: usize,
    kind: Kind,
    title: u32,
    out: &mut Vec<Citation<'a>>,
) -> usize {
    let tok = |i: usize| toks.get(i).copied().unwrap_or(&[]);
    let parse: SectionParser = match kind {
        Kind::Usc => parse_usc_section,
        Kind::Cfr => parse_cfr_section,
        Kind::DcCode | Kind::Ucmj => parse_dc_section,
    };
    let mut first = true;
    loop {
        let mut k = i;
        if !first {
            while tok(k) == b"AND" || tok(k) == b"&" {
                k += 1;
            }
        }
        let Some((section, path)) = parse(tok(k)) else {
            break;
        };
        // A number followed by USC or CFR is the title of the next citation (section 4). Only a
        // token that can be a title counts, so `48-904.09 C.F.R.` still ends a D.C. list. For
        // the first section, only when a complete citation follows: `18 U.S.C. 21 U.S.C. 844`
        // keeps 21 U.S.C. 844 instead of reading `18 USC 21`, while `21 USC 860 C.F.R.` and
        // `21 USC 860 C.F.R. 25 C.F.R. 11.452(a)` still read 860.
        let next_is_title = if first {
            starts_citation(toks, k)
        } else {
            parse_title(tok(k)).is_some() && matches!(tok(k + 1), b"USC" | b"CFR")
        };
        if next_is_title {
            break;
        }
        out.push(Citation {
            kind,
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

/// A title: a token of digits only (leading zeros ignored).
fn parse_title(t: &[u8]) -> Option<u32> {
    if t.is_empty() || !t.iter().all(u8::is_ascii_digit) {
        return None;
    }
    // Real titles have at most two digits; a longer number still reads as a (wrong) title,
    // up to what fits in a u32.
    t.iter().try_fold(0u32, |acc, d| {
        acc.checked_mul(10)?.checked_add(u32::from(d - b'0'))
    })
}

fn digits(t: &[u8], i: usize) -> usize {
    t[i..]
        .iter()
        .position(|b| !b.is_ascii_digit())
        .map_or(t.len(), |p| i + p)
}

/// `(x)` groups from `i`, then the end of the token.
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
    (i == t.len()).then_some(())
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

/// A UCMJ article token: digits, an optional letter and optional `(x)` groups (`112A`,
/// `134(1)`).
fn parse_article(t: &[u8]) -> Option<(&[u8], Path<'_>)> {
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

    fn extraction(s: &str) -> Extraction {
        let mut scratch = Scratch::default();
        read(s, Jurisdiction::Federal, &mut scratch, &mut Vec::new())
    }

    fn unparsed(s: &str) -> bool {
        extraction(s).unparsed_code_name
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
    fn section_lists_continue_across_a_semicolon_in_every_code() {
        assert_eq!(
            canon("21 U.S.C. § 844(a); 856"),
            vec!["21 USC 844(a)", "21 USC 856"]
        );
        assert_eq!(
            canon("36 C.F.R. §§ 2.35(b)(2); 2.35(b)(1)"),
            vec!["36 CFR 2.35(b)(2)", "36 CFR 2.35(b)(1)"]
        );
        assert_eq!(
            canon("36 C.F.R. §§ 2.35(b)(2), 2.35(b)(1)"),
            vec!["36 CFR 2.35(b)(2)", "36 CFR 2.35(b)(1)"]
        );
        assert_eq!(
            canon("D.C. Code §§ 48-904.01(d)(1); 48-904.09"),
            vec!["DC Code 48-904.01(d)(1)", "DC Code 48-904.09"]
        );
        assert_eq!(
            canon("D.C. Code §§ 48-904.01(d)(1), 48-904.09"),
            vec!["DC Code 48-904.01(d)(1)", "DC Code 48-904.09"]
        );
    }

    #[test]
    fn every_punctuation_character_separates_like_a_space() {
        for written in [
            "21 U.S.C. § 844(a) [18 U.S.C. § 1791(a)(2)]",
            "21 U.S.C. § 844(a) {18 U.S.C. § 1791(a)(2)}",
            "21 U.S.C. § 844(a) <18 U.S.C. § 1791(a)(2)>",
            "21 U.S.C. § 844(a) (18 U.S.C. § 1791(a)(2))",
            "21 U.S.C. § 844(a)/18 U.S.C. § 1791(a)(2)",
            "21 U.S.C. § 844(a)\\18 U.S.C. § 1791(a)(2)",
            "21 U.S.C. § 844(a)|18 U.S.C. § 1791(a)(2)",
            "21 U.S.C. § 844(a)+18 U.S.C. § 1791(a)(2)",
            "21 U.S.C. § 844(a)*18 U.S.C. § 1791(a)(2)",
            "21 U.S.C. § 844(a)-18 U.S.C. § 1791(a)(2)",
            "21 U.S.C. § 844(a);\"18 U.S.C. § 1791(a)(2)\"",
            "21 U.S.C. § 844(a) '18 U.S.C. § 1791(a)(2)'",
            "21 U.S.C. § 844(a) “18 U.S.C. § 1791(a)(2)”",
            "21 U.S.C. § 844(a) ‘18 U.S.C. § 1791(a)(2)’",
            "21 U.S.C. § 844(a)\t18 U.S.C. § 1791(a)(2)",
            "21 U.S.C. § 844(a)\n18 U.S.C. § 1791(a)(2)",
            "21 U.S.C. § 844(a)#18 U.S.C. § 1791(a)(2)",
        ] {
            assert_eq!(
                canon(written),
                vec!["21 USC 844(a)", "18 USC 1791(a)(2)"],
                "{written:?}"
            );
        }
        assert_eq!(
            canon("21 USC 844; \"18 USC 1791\""),
            vec!["21 USC 844", "18 USC 1791"]
        );
        assert_eq!(canon("21 U.S.C. 846/844"), vec!["21 USC 846", "21 USC 844"]);
        assert_eq!(
            canon("21 U.S.C. 844(a)/21 U.S.C. 841(a)(1)"),
            vec!["21 USC 844(a)", "21 USC 841(a)(1)"]
        );
    }

    #[test]
    fn brackets_that_open_no_subsection_only_separate() {
        assert_eq!(normal("(21 U.S.C. § 844(a))"), "21 USC 844(A)");
        assert_eq!(
            normal("21 USC 844(a) (18 USC 1791)"),
            "21 USC 844(A) 18 USC 1791"
        );
        assert_eq!(
            normal("Cal. Code (marijuana possession)"),
            "CAL. CODE MARIJUANA POSSESSION"
        );
        assert_eq!(normal("21 USC 844 (a) (1)"), "21 USC 844(A)(1)");
        assert_eq!(normal("21 USC 844A(1)"), "21 USC 844A(1)");
        // A code name is no subsection, so it is not hidden inside the section token.
        assert_eq!(normal("21 USC 844 (UCMJ)"), "21 USC 844 UCMJ");
        assert_eq!(
            canon("21 USC 844 (UCMJ)"),
            vec!["21 USC 844", "UCMJ Art. 112a"]
        );
    }

    #[test]
    fn dashes_colons_and_dots_are_kept_only_inside_numbers_and_after_abbreviations() {
        assert_eq!(normal("844(a)-18 USC 1791"), "844(A) 18 USC 1791");
        assert_eq!(normal("Count 1: 21 USC 844"), "COUNT 1 21 USC 844");
        assert_eq!(normal("21 USC 844(a)."), "21 USC 844(A)");
        assert_eq!(normal("Art.134"), "ART 134");
        assert_eq!(normal("Art. 134"), "ART. 134");
        assert_eq!(normal("Poss. marijuana"), "POSS. MARIJUANA");
        assert_eq!(normal("41 CFR 102-74.400(a)"), "41 CFR 102-74.400(A)");
        assert_eq!(normal("21:844(a)"), "21:844(A)");
        assert_eq!(normal("- : . ..."), "");
    }

    #[test]
    fn a_citation_of_only_separators_has_no_token() {
        for written in [
            "", "   ", "§", "  §  ", ";", "; ;", "[]", "\"\"", "/", "-", ":", ".", "...", "§§ ,",
        ] {
            assert_eq!(extraction(written).tokens, 0, "{written:?}");
        }
        assert_eq!(extraction("possession of marijuana").tokens, 3);
    }

    #[test]
    fn a_code_name_left_out_of_every_citation_is_reported() {
        for written in [
            "21 USC 844 and 18 U.S.C.",
            "Art. 134; 21 U.S.C. § 844",
            "Cal. Health & Safety Code § 11357(b)",
            "HS Code 11357",
            "21 U.S.C.S. 844",
            "Stat. 123",
            "C.F.R.",
            "D.C. Code",
            "Articles 112a and 134",
            "21 USC 844(a)(b)(c)(d)(e)(f)(g)(h)(i)",
        ] {
            assert!(unparsed(written), "{written:?}");
        }
        for written in [
            "21 U.S.C. § 844(a)",
            "UCMJ Art. 134",
            "Art. 134, UCMJ",
            "UCMJ",
            "Art. 112a",
            "Poss. marijuana, count 2",
            "16 U.S.C. § 3; 36 C.F.R. § 2.35(b)(2)",
            "D.C. Code §§ 48-904.01(d)(1), 48-904.09",
        ] {
            assert!(!unparsed(written), "{written:?}");
        }
    }

    #[test]
    fn a_number_before_a_code_name_is_a_title_even_after_a_dangling_code_name() {
        assert_eq!(canon("18 U.S.C. 21 U.S.C. 844"), vec!["21 USC 844"]);
        assert!(unparsed("18 U.S.C. 21 U.S.C. 844"));
        assert_eq!(
            canon("18 U.S.C./36 CFR 2.35(b)(2)"),
            vec!["36 CFR 2.35(b)(2)"]
        );
        // Without a complete citation after it, the number stays the first section.
        assert_eq!(canon("21 USC 860 C.F.R."), vec!["21 USC 860"]);
        assert!(unparsed("21 USC 860 C.F.R."));
        assert_eq!(canon("21 USC 844 18 USC"), vec!["21 USC 844"]);
        assert_eq!(canon("18 U.S.C. 21 USC 860 C.F.R."), vec!["21 USC 860"]);
        assert_eq!(canon("21 USC 860 C.F.R. 18 U.S.C."), vec!["21 USC 860"]);
        assert_eq!(
            canon("16 USC 3 C.F.R. 25 CFR 11.452(a)"),
            vec!["16 USC 3", "25 CFR 11.452(a)"]
        );
        assert_eq!(
            canon("21 USC 860 C.F.R. 25 C.F.R. § 11.452(a)"),
            vec!["21 USC 860", "25 CFR 11.452(a)"]
        );
        assert_eq!(
            canon("D.C. Code §§ 48-904.01(d)(1), 48-904.09 C.F.R."),
            vec!["DC Code 48-904.01(d)(1)", "DC Code 48-904.09"]
        );
        assert_eq!(
            canon("36 CFR 2.35(b)(2), 2.35(b)(1) USC"),
            vec!["36 CFR 2.35(b)(2)", "36 CFR 2.35(b)(1)"]
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
        for written in [
            "UCMJ Art. 134",
            "Art. 134, UCMJ",
            "Art. 134, UCMJ.",
            "Art. 134, U.C.M.J.",
            "U. C. M. J. Art. 134",
            "UCMJ, Art.134",
            "ucmj article 134",
        ] {
            assert_eq!(canon(written), vec!["UCMJ Art. 134"], "{written}");
        }
        assert_eq!(
            canon("UCMJ Art. 134; 21 U.S.C. 844"),
            vec!["UCMJ Art. 134", "21 USC 844"]
        );
        assert_eq!(canon("10 U.S.C. § 934"), vec!["10 USC 934"]);
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
            "16 USC 3 36 CFR 2.35(B)(2)"
        );
        assert_eq!(
            normal("Cal. Health & Safety Code § 11357(b)"),
            "CAL. HEALTH & SAFETY CODE 11357(B)"
        );
        assert_eq!(
            normal("D.C. Official Code § 48–904.01(d)(1)"),
            "DCCODE 48-904.01(D)(1)"
        );
    }

    #[test]
    fn overly_deep_paths_and_malformed_groups_are_not_citations() {
        assert!(canon("21 USC 844(a)(b)(c)(d)(e)(f)(g)(h)(i)").is_empty());
        // An unclosed or empty bracket opens no subsection, so it only separates (step 9).
        assert_eq!(canon("21 USC 844(a"), vec!["21 USC 844"]);
        assert_eq!(canon("21 USC 844()"), vec!["21 USC 844"]);
        assert_eq!(canon("21 USC 844(a-1)"), vec!["21 USC 844"]);
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
