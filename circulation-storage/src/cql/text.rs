//! Term and modifier interpretation shared by the SQL translator and the in-memory
//! evaluator, so both give a term the same meaning.

use super::parser::{Modifier, Relation};

/// The relation modifiers cql2pgjson understands. Anything else is an error.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct RelationModifiers {
    /// `Some(true)` for /respectCase, `Some(false)` for /ignoreCase.
    pub respect_case: Option<bool>,
    /// `Some(true)` for /respectAccents, `Some(false)` for /ignoreAccents.
    pub respect_accents: Option<bool>,
    /// /number (as opposed to the default /string).
    pub number: bool,
}

impl RelationModifiers {
    /// Any explicit case or accent modifier.
    pub(super) fn explicit_folding(&self) -> bool {
        self.respect_case.is_some() || self.respect_accents.is_some()
    }
}

pub(crate) fn relation_modifiers(mods: &[Modifier]) -> Result<RelationModifiers, String> {
    let mut out = RelationModifiers::default();
    for m in mods {
        if m.value.is_some() {
            return Err(format!(
                "unsupported relation modifier '/{}' with a value",
                super::parser::shorten(&m.name)
            ));
        }
        match m.name.to_ascii_lowercase().as_str() {
            "respectcase" => out.respect_case = Some(true),
            "ignorecase" => out.respect_case = Some(false),
            "respectaccents" => out.respect_accents = Some(true),
            "ignoreaccents" => out.respect_accents = Some(false),
            "string" => out.number = false,
            "number" => out.number = true,
            "masked" => {}
            _ => {
                return Err(format!(
                    "unsupported relation modifier '/{}'",
                    super::parser::shorten(&m.name)
                ))
            }
        }
    }
    Ok(out)
}

/// Sort key modifiers: the relation ones plus the direction.
pub(crate) fn sort_modifiers(mods: &[Modifier]) -> Result<RelationModifiers, String> {
    let rest: Vec<Modifier> = mods
        .iter()
        .filter(|m| {
            m.value.is_none()
                && !m.name.eq_ignore_ascii_case("sort.ascending")
                && !m.name.eq_ignore_ascii_case("sort.descending")
        })
        .cloned()
        .collect();
    relation_modifiers(&rest).map_err(|e| e.replace("relation modifier", "sort modifier"))
}

/// Which relations mean what (cql2pgjson).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `=` `adj`: phrase; `all`: every word; `any`: some word.
    FullText(FtMode),
    /// `==` (true) and `<>` (false) as LIKE.
    Like(bool),
    /// `< > <= >=`, and `== <>` with /number: SQL operator.
    Compare(&'static str),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FtMode {
    Phrase,
    And,
    Or,
}

pub(crate) fn relation_kind(rel: Relation, mods: &RelationModifiers) -> Result<Kind, String> {
    Ok(match rel {
        Relation::Equals if mods.number => Kind::Compare("="),
        Relation::Equals | Relation::Adj => Kind::FullText(FtMode::Phrase),
        Relation::All => Kind::FullText(FtMode::And),
        Relation::Any => Kind::FullText(FtMode::Or),
        Relation::DoubleEquals if mods.number => Kind::Compare("="),
        Relation::NotEquals if mods.number => Kind::Compare("<>"),
        Relation::DoubleEquals => Kind::Like(true),
        Relation::NotEquals => Kind::Like(false),
        Relation::Less => Kind::Compare("<"),
        Relation::Greater => Kind::Compare(">"),
        Relation::LessOrEqual => Kind::Compare("<="),
        Relation::GreaterOrEqual => Kind::Compare(">="),
        Relation::Within | Relation::Encloses | Relation::Exact => {
            return Err(format!("relation '{rel}' is not supported"))
        }
    })
}

/// `within "lo hi"`: the two bounds of the range (inclusive), as CQL defines the relation.
pub(crate) fn range_bounds(term: &str) -> Result<(String, String), String> {
    let parts: Vec<&str> = term.split_whitespace().collect();
    match parts.as_slice() {
        [lo, hi] => Ok((lo.to_string(), hi.to_string())),
        _ => Err(format!(
            "relation 'within' needs two values separated by a space, got '{}'",
            super::parser::shorten(term)
        )),
    }
}

/// Removes CQL masking: `\x` → `x`; a lone trailing backslash is dropped.
pub(crate) fn unmask(term: &str) -> String {
    let mut out = String::with_capacity(term.len());
    let mut chars = term.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The value a term without wildcards stands for (what [`like_pattern`] matches exactly),
/// `None` when an unmasked `*` or `?` makes it a pattern.
pub(crate) fn exact_literal(term: &str) -> Option<String> {
    let mut out = String::with_capacity(term.len());
    let mut chars = term.chars();
    while let Some(c) = chars.next() {
        match c {
            // A dangling backslash is a backslash, as in the pattern.
            '\\' => out.push(chars.next().unwrap_or('\\')),
            '*' | '?' => return None,
            _ => out.push(c),
        }
    }
    Some(out)
}

/// CQL term → SQL LIKE pattern (backslash is LIKE's escape character):
/// `*` → `%`, `?` → `_`, literal `%` `_` `\` escaped, `\*` `\?` literal.
pub(crate) fn like_pattern(term: &str) -> String {
    let mut out = String::with_capacity(term.len() + 4);
    let mut chars = term.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(n) => push_like_literal(&mut out, n),
                // A dangling backslash matches a backslash, as cql2pgjson does.
                None => out.push_str("\\\\"),
            },
            '*' => out.push('%'),
            '?' => out.push('_'),
            _ => push_like_literal(&mut out, c),
        }
    }
    out
}

fn push_like_literal(out: &mut String, c: char) {
    if matches!(c, '%' | '_' | '\\') {
        out.push('\\');
    }
    out.push(c);
}

/// The whole-value pattern language of LIKE, for the evaluator.
#[cfg(feature = "cql-eval")]
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LikeToken {
    Char(char),
    AnyOne,
    AnyMany,
}

/// Reads a LIKE pattern as built by [`like_pattern`] (possibly after case/accent folding).
#[cfg(feature = "cql-eval")]
pub(crate) fn like_tokens(pattern: &str) -> Vec<LikeToken> {
    let mut out = Vec::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        out.push(match c {
            '\\' => LikeToken::Char(chars.next().unwrap_or('\\')),
            '%' => LikeToken::AnyMany,
            '_' => LikeToken::AnyOne,
            _ => LikeToken::Char(c),
        });
    }
    out
}

/// Whole-string LIKE match; iterative with one backtrack point (no exponential blow-up).
#[cfg(feature = "cql-eval")]
pub(crate) fn like_match(pattern: &[LikeToken], text: &str) -> bool {
    let text: Vec<char> = text.chars().collect();
    let (mut p, mut t) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(LikeToken::AnyMany) => {
                star = Some((p, t));
                p += 1;
            }
            Some(LikeToken::AnyOne) => {
                p += 1;
                t += 1;
            }
            Some(LikeToken::Char(c)) if *c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p.min(pattern.len())..]
        .iter()
        .all(|tok| *tok == LikeToken::AnyMany)
}

/// What a full-text (`=`, `adj`, `all`, `any`) term asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FtTerm {
    /// `*`: every record, even without the field.
    Everything,
    /// `""`: the field is present (not null).
    Present,
    /// Words separated by spaces; a word may end in `*` (right truncation). No
    /// backslashes remain, so the value is safe for RMB's tsquery_* helpers.
    Words(String),
}

/// Cleans and validates a full-text term the way cql2pgjson does: stand-alone `*`
/// words are dropped, `?` is refused, `*` only at the end of a word.
pub(crate) fn fulltext_term(term: &str) -> Result<FtTerm, String> {
    // Drop " *" (spaces followed by a star), as cql2pgjson does before anything else.
    let mut cleaned = String::with_capacity(term.len());
    let chars: Vec<char> = term.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == ' ' {
            let mut j = i;
            while j < chars.len() && chars[j] == ' ' {
                j += 1;
            }
            if j < chars.len() && chars[j] == '*' {
                i = j + 1;
                continue;
            }
        }
        cleaned.push(chars[i]);
        i += 1;
    }
    let cleaned = cleaned.trim_matches(' ');
    if cleaned == "*" {
        return Ok(FtTerm::Everything);
    }
    if cleaned.is_empty() {
        return Ok(FtTerm::Present);
    }
    let chars: Vec<char> = cleaned.chars().collect();
    let mut out = String::with_capacity(cleaned.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                // Masked characters are literal. Punctuation separates words in the
                // 'simple' text search parser anyway, so it becomes a space; this keeps
                // backslashes out of the tsquery text.
                if let Some(&n) = chars.get(i + 1) {
                    out.push(if n.is_alphanumeric() { n } else { ' ' });
                }
                i += 2;
                continue;
            }
            '?' => return Err("? wildcard not allowed in full text query string".into()),
            '*' => {
                if let Some(&n) = chars.get(i + 1) {
                    if n != ' ' {
                        return Err(format!(
                            "* right truncation wildcard must be followed by space or end of string, but found {n}"
                        ));
                    }
                }
                out.push('*');
            }
            _ => out.push(c),
        }
        i += 1;
    }
    // Masked punctuation at either end became a space; RMB's tsquery_and fails on
    // an empty word at the ends ("'a'&"), so trim again.
    Ok(FtTerm::Words(out.trim_matches(' ').to_string()))
}

/// A number as PostgreSQL's numeric input accepts it (no NaN/Infinity).
pub(crate) fn is_number(s: &str) -> bool {
    let s = s.trim();
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let (int, frac) = match mantissa.find('.') {
        Some(i) => (&mantissa[..i], Some(&mantissa[i + 1..])),
        None => (mantissa, None),
    };
    let digits = |x: &str| x.chars().all(|c| c.is_ascii_digit());
    let mantissa_ok = digits(int)
        && frac.is_none_or(digits)
        && (!int.is_empty() || frac.is_some_and(|f| !f.is_empty()));
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    mantissa_ok && exponent_ok
}

/// The SQL regular expression equivalent to [`is_number`] (no backslashes on purpose).
pub(crate) const SQL_NUMBER_REGEX: &str =
    "^[[:space:]]*[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]+)?[[:space:]]*$";

/// 8-4-4-4-12 hex digits, any version (cql2pgjson's check for the id column).
pub(crate) fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, &c)| match i {
            8 | 13 | 18 | 23 => c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// lower() and f_unaccent() as the SQL applies them.
#[cfg(feature = "cql-eval")]
pub(crate) fn fold(s: &str, lower: bool, unaccent_it: bool) -> String {
    let s = if unaccent_it {
        unaccent(s)
    } else {
        s.to_string()
    };
    if lower {
        s.to_lowercase()
    } else {
        s
    }
}

/// Approximation of PostgreSQL's `unaccent` dictionary: Latin letters with
/// diacritics, common ligatures, and combining marks removed.
#[cfg(feature = "cql-eval")]
pub(crate) fn unaccent(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if ('\u{0300}'..='\u{036f}').contains(&c) {
            continue; // combining diacritical marks
        }
        match unaccent_char(c) {
            Some(r) => out.push_str(r),
            None => out.push(c),
        }
    }
    out
}

#[cfg(feature = "cql-eval")]
fn unaccent_char(c: char) -> Option<&'static str> {
    Some(match c {
        'À'..='Å' | 'Ā' | 'Ă' | 'Ą' => "A",
        'à'..='å' | 'ā' | 'ă' | 'ą' => "a",
        'Æ' => "AE",
        'æ' => "ae",
        'Ç' | 'Ć' | 'Ĉ' | 'Ċ' | 'Č' => "C",
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => "c",
        'Ð' | 'Ď' | 'Đ' => "D",
        'ð' | 'ď' | 'đ' => "d",
        'È'..='Ë' | 'Ē' | 'Ĕ' | 'Ė' | 'Ę' | 'Ě' => "E",
        'è'..='ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => "e",
        'Ĝ' | 'Ğ' | 'Ġ' | 'Ģ' => "G",
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => "g",
        'Ĥ' | 'Ħ' => "H",
        'ĥ' | 'ħ' => "h",
        'Ì'..='Ï' | 'Ĩ' | 'Ī' | 'Ĭ' | 'Į' | 'İ' => "I",
        'ì'..='ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => "i",
        'Ĵ' => "J",
        'ĵ' => "j",
        'Ķ' => "K",
        'ķ' | 'ĸ' => "k",
        'Ĺ' | 'Ļ' | 'Ľ' | 'Ŀ' | 'Ł' => "L",
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => "l",
        'Ñ' | 'Ń' | 'Ņ' | 'Ň' | 'Ŋ' => "N",
        'ñ' | 'ń' | 'ņ' | 'ň' | 'ŋ' => "n",
        'ŉ' => "'n",
        'Ò'..='Ö' | 'Ø' | 'Ō' | 'Ŏ' | 'Ő' => "O",
        'ò'..='ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => "o",
        'Œ' => "OE",
        'œ' => "oe",
        'Ŕ' | 'Ŗ' | 'Ř' => "R",
        'ŕ' | 'ŗ' | 'ř' => "r",
        'Ś' | 'Ŝ' | 'Ş' | 'Š' | 'Ș' => "S",
        'ś' | 'ŝ' | 'ş' | 'š' | 'ș' => "s",
        'ß' => "ss",
        'Ţ' | 'Ť' | 'Ŧ' | 'Ț' => "T",
        'ţ' | 'ť' | 'ŧ' | 'ț' => "t",
        'Þ' => "TH",
        'þ' => "th",
        'Ù'..='Ü' | 'Ũ' | 'Ū' | 'Ŭ' | 'Ů' | 'Ű' | 'Ų' => "U",
        'ù'..='ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => "u",
        'Ŵ' => "W",
        'ŵ' => "w",
        'Ý' | 'Ŷ' | 'Ÿ' => "Y",
        'ý' | 'ÿ' | 'ŷ' => "y",
        'Ź' | 'Ż' | 'Ž' => "Z",
        'ź' | 'ż' | 'ž' => "z",
        '‘' | '’' | '‛' | '′' | '＇' => "'",
        '“' | '”' | '„' => "\"",
        _ => return None,
    })
}

/// Words of a text as the 'simple' text search configuration sees them, roughly:
/// maximal runs of letters and digits, lower-cased, after unaccent.
#[cfg(feature = "cql-eval")]
pub(crate) fn tokens(s: &str) -> Vec<String> {
    fold(s, true, true)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_literals() {
        let cases = [
            ("abc", Some("abc")),
            ("100%", Some("100%")),
            ("a_b", Some("a_b")),
            ("a\\*b", Some("a*b")),
            ("a\\?b", Some("a?b")),
            ("a\\\\b", Some("a\\b")),
            ("end\\", Some("end\\")),
            ("", Some("")),
            ("a*", None),
            ("?b", None),
        ];
        for (term, want) in cases {
            assert_eq!(exact_literal(term).as_deref(), want, "{term:?}");
        }
    }

    #[test]
    fn like_patterns() {
        let cases = [
            ("abc", "abc"),
            ("a*c", "a%c"),
            ("a?c", "a_c"),
            ("100%", "100\\%"),
            ("a_b", "a\\_b"),
            ("a\\*b", "a*b"),
            ("a\\?b", "a?b"),
            ("a\\\\b", "a\\\\b"),
            ("a\\\"b", "a\"b"),
            ("a\\", "a\\\\"),
            ("it's", "it's"),
        ];
        for (term, like) in cases {
            assert_eq!(like_pattern(term), like, "term {term}");
        }
    }

    #[cfg(feature = "cql-eval")]
    #[test]
    fn like_matching() {
        let m = |p: &str, t: &str| like_match(&like_tokens(&like_pattern(p)), t);
        assert!(m("abc", "abc"));
        assert!(!m("abc", "abcd"));
        assert!(m("a*", "abcd"));
        assert!(m("*d", "abcd"));
        assert!(m("*b*c*", "abc"));
        assert!(m("a?c", "abc"));
        assert!(!m("a?c", "ac"));
        assert!(m("*", ""));
        assert!(m("", ""));
        assert!(!m("", "x"));
        assert!(m("a\\*c", "a*c"));
        assert!(!m("a\\*c", "abc"));
        assert!(m("50%", "50%"));
        assert!(!m("50%", "500"));
        assert!(m("a_b", "a_b"));
        assert!(!m("a_b", "axb"));
        assert!(!m(&"*a".repeat(30), &"a".repeat(29)));
    }

    #[test]
    fn fulltext_terms() {
        assert_eq!(fulltext_term("*"), Ok(FtTerm::Everything));
        assert_eq!(fulltext_term("  *  "), Ok(FtTerm::Present)); // " *" is dropped first, as RMB does
        assert_eq!(fulltext_term(""), Ok(FtTerm::Present));
        assert_eq!(fulltext_term("foo *"), Ok(FtTerm::Words("foo".into())));
        assert_eq!(
            fulltext_term("foo* bar"),
            Ok(FtTerm::Words("foo* bar".into()))
        );
        assert_eq!(
            fulltext_term("a\\*b\\\\c\\x"),
            Ok(FtTerm::Words("a b cx".into()))
        );
        assert!(fulltext_term("f?o").is_err());
        assert!(fulltext_term("f*o").is_err());
        assert_eq!(fulltext_term("f\\?o"), Ok(FtTerm::Words("f o".into())));
        assert_eq!(fulltext_term("a\\\\"), Ok(FtTerm::Words("a".into())));
    }

    #[test]
    fn numbers_and_uuids() {
        for n in ["1", "-1", "+1.5", ".5", "5.", "1e10", "1.5E-3", " 7 "] {
            assert!(is_number(n), "{n}");
        }
        for n in ["", ".", "e1", "1e", "abc", "1.2.3", "--1", "NaN", "1 2"] {
            assert!(!is_number(n), "{n}");
        }
        assert!(is_uuid("8a7f5d1c-3b2e-4f6a-9c8d-7e6f5a4b3c2d"));
        assert!(is_uuid("8A7F5D1C-3B2E-4F6A-9C8D-7E6F5A4B3C2D"));
        assert!(!is_uuid("8a7f5d1c3b2e4f6a9c8d7e6f5a4b3c2d"));
        assert!(!is_uuid("8a7f5d1c-3b2e-4f6a-9c8d-7e6f5a4b3c2g"));
        assert!(!is_uuid("8a7f5d1c-3b2e-4f6a-9c8d-7e6f5a4b3c2"));
    }

    #[cfg(feature = "cql-eval")]
    #[test]
    fn folding_and_tokens() {
        assert_eq!(fold("Crème Brûlée", true, true), "creme brulee");
        assert_eq!(fold("Crème", false, true), "Creme");
        assert_eq!(fold("Crème", true, false), "crème");
        assert_eq!(
            tokens("Open - Awaiting pickup"),
            ["open", "awaiting", "pickup"]
        );
        assert_eq!(tokens("other_settings"), ["other", "settings"]);
    }
}
