//! Rules text → [`Rules`], following FOLIO's grammar:
//!
//! ```text
//! file       := NEWLINE* 'priority' ':' 'first-line' (NEWLINE | statement)* NEWLINE* fallback EOF
//!             | NEWLINE* 'priority' ':' priority NEWLINE* fallback (NEWLINE | statement)* EOF
//! priority   := 'last-line' | regulation ',' line | regulation ',' regulation ',' line
//!             | LETTER (','? LETTER)*                 // legacy: criterium, number-of-criteria, last-line
//! regulation := 'criterium' '(' LETTER (','? LETTER)* ')' | 'number-of-criteria'
//! line       := 'first-line' | 'last-line'
//! fallback   := 'fallback-policy' policies NEWLINE
//! statement  := expr NEWLINE (INDENT statement+ DEDENT)?
//! expr       := criterium ('+' criterium)* policies?
//! criterium  := LETTER ('all' | NAME+ | ('!' NAME)+)
//! policies   := ':' (POLICY_TYPE NAME)+
//! ```
//!
//! Errors come in FOLIO's order: a syntax error anywhere in the text wins; otherwise the first
//! check that fails, in text order (letters of the priority line, duplicate regulation, five
//! policy types per line, policy line without policies). Messages are FOLIO's where FOLIO
//! writes its own; syntax errors mimic its parser's "mismatched input" / "extraneous input"
//! wording. Columns are 1-based except where FOLIO reports the 0-based offset of the token:
//! the policy-type checks (at the `:` of a rule, at `fallback-policy`).

use super::ast::{
    Criterium, CriteriumType, LineOrder, PolicySet, PolicyType, Priority, Regulation, Rule, Rules,
    Selection,
};
use super::lexer::{Kind, Lexer, Token};
use super::RulesError;

const FIRST_LINE_FALLBACK: &str =
    "For 'priority: first-line' the fallback-policy must be after the last rule.";
const BANG_EVERYWHERE: &str = "A '!' must precede each name or no name.";

/// Parses a rules text without checking that the policies exist.
pub(crate) fn parse(text: &str) -> Result<Rules, RulesError> {
    parse_with_policy_check(text, |_, _| true)
}

/// Parses a rules text; `policy_exists(type, id)` is asked for every policy of every line, as
/// FOLIO does on `PUT /circulation/rules` ("The policy l does not exist").
pub(crate) fn parse_with_policy_check(
    text: &str,
    policy_exists: impl Fn(PolicyType, &str) -> bool,
) -> Result<Rules, RulesError> {
    let mut parser = Parser {
        tokens: TokenStream::new(text),
        policy_exists: &policy_exists,
        deferred: None,
    };
    let rules = parser.file()?;
    match parser.deferred {
        Some(error) => Err(error),
        None => Ok(rules),
    }
}

/// Lazy lookahead over the lexer, so a lexer error surfaces only when the parse reaches it.
struct TokenStream {
    lexer: Lexer,
    buffer: Vec<Token>,
}

impl TokenStream {
    fn new(text: &str) -> Self {
        TokenStream {
            lexer: Lexer::new(text),
            buffer: Vec::new(),
        }
    }

    /// The token `ahead` places from here (0 = the next one).
    fn peek_at(&mut self, ahead: usize) -> Result<&Token, RulesError> {
        while self.buffer.len() <= ahead {
            let token = self.lexer.next_token()?;
            self.buffer.push(token);
        }
        Ok(&self.buffer[ahead])
    }

    fn next(&mut self) -> Result<Token, RulesError> {
        self.peek_at(0)?;
        Ok(self.buffer.remove(0))
    }
}

/// Where a policy list sits, for the checks FOLIO runs on it.
enum PolicyListOf {
    Rule,
    Fallback { keyword: Token },
}

struct Parser<'a> {
    tokens: TokenStream,
    policy_exists: &'a dyn Fn(PolicyType, &str) -> bool,
    /// First failed check: FOLIO runs these after a successful parse, in text order.
    deferred: Option<RulesError>,
}

impl Parser<'_> {
    fn file(&mut self) -> Result<Rules, RulesError> {
        self.skip_newlines()?;
        self.expect(Kind::Priority, &[Kind::Priority, Kind::Newline])?;
        self.expect(Kind::Colon, &[Kind::Colon])?;
        let mut rules = Vec::new();

        if self.at(Kind::FirstLine)? {
            self.tokens.next()?;
            let priority = Priority {
                regulations: Vec::new(),
                line_order: LineOrder::FirstLine,
            };
            self.statements(
                &mut rules,
                &[Kind::Newline, Kind::CriteriumLetter, Kind::FallbackPolicy],
            )?;
            let (fallback, fallback_line) = self.fallback()?;
            if self.at(Kind::CriteriumLetter)? {
                let next = self.tokens.peek_at(0)?;
                return Err(error_at(FIRST_LINE_FALLBACK, next));
            }
            self.expect(Kind::Eof, &[Kind::Eof, Kind::CriteriumLetter])?;
            return Ok(Rules {
                priority,
                fallback,
                fallback_line,
                rules,
            });
        }

        let priority = self.priority()?;
        self.skip_newlines()?;
        let (fallback, fallback_line) = self.fallback()?;
        self.statements(
            &mut rules,
            &[Kind::Eof, Kind::Newline, Kind::CriteriumLetter],
        )?;
        self.expect(
            Kind::Eof,
            &[Kind::Eof, Kind::Newline, Kind::CriteriumLetter],
        )?;
        Ok(Rules {
            priority,
            fallback,
            fallback_line,
            rules,
        })
    }

    /// `(NEWLINE | statement)*` at the outermost level; stops at anything else.
    fn statements(&mut self, rules: &mut Vec<Rule>, follow: &[Kind]) -> Result<(), RulesError> {
        loop {
            match self.tokens.peek_at(0)?.kind {
                Kind::Newline => {
                    self.tokens.next()?;
                }
                Kind::CriteriumLetter => self.statement(&[], rules)?,
                kind if follow.contains(&kind) => return Ok(()),
                _ => return Err(self.unexpected(follow)?),
            }
        }
    }

    fn skip_newlines(&mut self) -> Result<(), RulesError> {
        while self.at(Kind::Newline)? {
            self.tokens.next()?;
        }
        Ok(())
    }

    // ---- priority line -------------------------------------------------------------------

    fn priority(&mut self) -> Result<Priority, RulesError> {
        let mut seen_letters = Vec::new();
        match self.tokens.peek_at(0)?.kind {
            Kind::LastLine => {
                self.tokens.next()?;
                Ok(Priority {
                    regulations: Vec::new(),
                    line_order: LineOrder::LastLine,
                })
            }
            Kind::CriteriumLetter => {
                // Legacy form: the seven letters alone.
                let letters = self.criterium_letters(&mut seen_letters)?;
                Ok(Priority {
                    regulations: vec![Regulation::Criterium(letters), Regulation::NumberOfCriteria],
                    line_order: LineOrder::LastLine,
                })
            }
            Kind::CriteriumKw | Kind::NumberOfCriteria => {
                let (first, _) = self.regulation(&mut seen_letters)?;
                self.expect(Kind::Comma, &[Kind::Comma])?;
                let mut regulations = vec![first];
                if !self.at(Kind::FirstLine)? && !self.at(Kind::LastLine)? {
                    let (second, start) = self.regulation(&mut seen_letters)?;
                    self.expect(Kind::Comma, &[Kind::Comma])?;
                    if std::mem::discriminant(&second) == std::mem::discriminant(&regulations[0]) {
                        self.defer(error_at("Duplicate priority type", &start));
                    }
                    regulations.push(second);
                }
                let line_order = self.line_order()?;
                Ok(Priority {
                    regulations,
                    line_order,
                })
            }
            _ => Err(self.unexpected(&[
                Kind::FirstLine,
                Kind::LastLine,
                Kind::CriteriumKw,
                Kind::NumberOfCriteria,
                Kind::CriteriumLetter,
            ])?),
        }
    }

    /// A regulation and its first token (where a duplicate is reported).
    fn regulation(
        &mut self,
        seen_letters: &mut Vec<char>,
    ) -> Result<(Regulation, Token), RulesError> {
        let start = self.tokens.peek_at(0)?.clone();
        match start.kind {
            Kind::NumberOfCriteria => {
                self.tokens.next()?;
                Ok((Regulation::NumberOfCriteria, start))
            }
            Kind::CriteriumKw => {
                self.tokens.next()?;
                self.expect(Kind::LParen, &[Kind::LParen])?;
                if !self.at(Kind::CriteriumLetter)? {
                    return Err(self.unexpected(&[Kind::CriteriumLetter])?);
                }
                let letters = self.criterium_letters(seen_letters)?;
                self.expect(
                    Kind::RParen,
                    &[Kind::RParen, Kind::Comma, Kind::CriteriumLetter],
                )?;
                Ok((Regulation::Criterium(letters), start))
            }
            _ => Err(self.unexpected(&[Kind::CriteriumKw, Kind::NumberOfCriteria])?),
        }
    }

    /// `LETTER (','? LETTER)*`; must be the seven types once each. `seen_letters` is shared by
    /// the whole priority line, as in FOLIO (a second `criterium(...)` reports a duplicate letter).
    fn criterium_letters(
        &mut self,
        seen_letters: &mut Vec<char>,
    ) -> Result<Vec<CriteriumType>, RulesError> {
        let mut letters = vec![self.tokens.next()?];
        loop {
            if self.at(Kind::Comma)? && self.tokens.peek_at(1)?.kind == Kind::CriteriumLetter {
                self.tokens.next()?;
            }
            if !self.at(Kind::CriteriumLetter)? {
                break;
            }
            letters.push(self.tokens.next()?);
        }

        let first = &letters[0];
        if letters.len() < 7 {
            let message = format!("7 letters expected, found only {}", letters.len());
            self.defer(error_at(&message, first));
        } else if letters.len() > 7 {
            let message = format!("Only 7 letters expected, found {}", letters.len());
            self.defer(error_at(&message, first));
        } else {
            for token in &letters {
                let letter = letter_of(token);
                if seen_letters.contains(&letter) {
                    self.defer(error_at(&format!("Duplicate letter {letter}"), token));
                    break;
                }
                seen_letters.push(letter);
            }
        }
        Ok(letters
            .iter()
            .filter_map(|token| CriteriumType::from_letter(letter_of(token)))
            .collect())
    }

    fn line_order(&mut self) -> Result<LineOrder, RulesError> {
        match self.tokens.peek_at(0)?.kind {
            Kind::FirstLine => {
                self.tokens.next()?;
                Ok(LineOrder::FirstLine)
            }
            Kind::LastLine => {
                self.tokens.next()?;
                Ok(LineOrder::LastLine)
            }
            _ => Err(self.unexpected(&[Kind::FirstLine, Kind::LastLine])?),
        }
    }

    // ---- fallback-policy line ------------------------------------------------------------

    /// The fallback policies and their line.
    fn fallback(&mut self) -> Result<(PolicySet, usize), RulesError> {
        let keyword = self.expect(Kind::FallbackPolicy, &[Kind::FallbackPolicy, Kind::Newline])?;
        match self.tokens.peek_at(0)?.kind {
            Kind::Colon => {
                let (policies, line) = self.policies(PolicyListOf::Fallback { keyword })?;
                self.expect(Kind::Newline, &[Kind::Newline, Kind::PolicyType])?;
                Ok((policies, line))
            }
            Kind::Newline => {
                self.tokens.next()?;
                let next = self.tokens.peek_at(0)?;
                Err(error_at("Policy missing", next))
            }
            _ => Err(self.unexpected(&[Kind::Colon, Kind::Newline])?),
        }
    }

    // ---- rule lines ----------------------------------------------------------------------

    /// One line and the lines nested under it; pushes every line that has policies.
    fn statement(
        &mut self,
        ancestors: &[Criterium],
        rules: &mut Vec<Rule>,
    ) -> Result<(), RulesError> {
        let start = self.tokens.peek_at(0)?.clone();
        let mut criteria = ancestors.to_vec();
        criteria.push(self.criterium()?);
        while self.at(Kind::Plus)? {
            self.tokens.next()?;
            if !self.at(Kind::CriteriumLetter)? {
                return Err(self.unexpected(&[Kind::CriteriumLetter])?);
            }
            criteria.push(self.criterium()?);
        }
        let policies = if self.at(Kind::Colon)? {
            Some(self.policies(PolicyListOf::Rule)?)
        } else {
            None
        };
        let follow: &[Kind] = if policies.is_some() {
            &[Kind::Newline, Kind::PolicyType]
        } else {
            &[Kind::Newline, Kind::Plus, Kind::Colon]
        };
        self.expect(Kind::Newline, follow)?;

        let has_policies = policies.is_some();
        if let Some((policies, line)) = policies {
            rules.push(Rule {
                line,
                criteria: criteria.clone(),
                policies,
            });
        }

        if !self.at(Kind::Indent)? {
            if !has_policies {
                // Only a line with nested lines may go without policies.
                self.defer(error_at("Policy missing", &start));
            }
            return Ok(());
        }
        self.tokens.next()?;
        // At least one nested line, then the block ends with DEDENT.
        let mut expected: &[Kind] = &[Kind::CriteriumLetter];
        loop {
            if !self.at(Kind::CriteriumLetter)? {
                return Err(self.unexpected(expected)?);
            }
            self.statement(&criteria, rules)?;
            if self.at(Kind::Dedent)? {
                self.tokens.next()?;
                return Ok(());
            }
            expected = &[Kind::Dedent, Kind::CriteriumLetter];
        }
    }

    fn criterium(&mut self) -> Result<Criterium, RulesError> {
        let letter = self.tokens.next()?;
        let kind = CriteriumType::from_letter(letter_of(&letter))
            .expect("the lexer only makes criterium letters of t a b c s m g");
        let selection = match self.tokens.peek_at(0)?.kind {
            Kind::All => {
                self.tokens.next()?;
                Selection::All
            }
            Kind::Name => {
                let names = self.names()?;
                if self.at(Kind::Bang)? {
                    self.tokens.next()?;
                    return Err(error_at(BANG_EVERYWHERE, self.tokens.peek_at(0)?));
                }
                Selection::AnyOf(names)
            }
            Kind::Bang => {
                let mut names = Vec::new();
                while self.at(Kind::Bang)? {
                    self.tokens.next()?;
                    names.push(self.expect(Kind::Name, &[Kind::Name])?.text);
                }
                if self.at(Kind::Name)? {
                    self.tokens.next()?;
                    return Err(error_at(BANG_EVERYWHERE, self.tokens.peek_at(0)?));
                }
                Selection::NoneOf(names)
            }
            _ => return Err(error_at("Name missing.", self.tokens.peek_at(0)?)),
        };
        Ok(Criterium { kind, selection })
    }

    fn names(&mut self) -> Result<Vec<String>, RulesError> {
        let mut names = Vec::new();
        while self.at(Kind::Name)? {
            names.push(self.tokens.next()?.text);
        }
        Ok(names)
    }

    /// `':' (TYPE NAME)+` with FOLIO's checks; returns the policies and the line of the `:`.
    fn policies(&mut self, of: PolicyListOf) -> Result<(PolicySet, usize), RulesError> {
        let colon = self.tokens.next()?;
        if !self.at(Kind::PolicyType)? {
            return Err(error_at(
                "Policy missing after ':'",
                self.tokens.peek_at(0)?,
            ));
        }
        let mut entries: Vec<(PolicyType, String)> = Vec::new();
        while self.at(Kind::PolicyType)? {
            let letter = self.tokens.next()?;
            if !self.at(Kind::Name)? {
                return Err(error_at("Name missing.", self.tokens.peek_at(0)?));
            }
            let name = self.tokens.next()?.text;
            let kind = PolicyType::from_letter(letter_of(&letter))
                .expect("the lexer only makes policy types of l r n o i");
            entries.push((kind, name));
        }

        if let PolicyListOf::Fallback { keyword } = &of {
            if let Some(message) = count_problem(&entries, FALLBACK_MESSAGES) {
                // FOLIO reports the 0-based offset here.
                self.defer(RulesError::new(message, keyword.line, keyword.col));
            }
        }
        self.check_policies(&entries, &colon);

        let mut policies = PolicySet::default();
        for (kind, name) in entries.into_iter().rev() {
            policies.set(kind, name);
        }
        Ok((policies, colon.line))
    }

    /// Per type, in l r n o i order: exactly one policy, and it exists.
    fn check_policies(&mut self, entries: &[(PolicyType, String)], colon: &Token) {
        for kind in PolicyType::ALL {
            let ids: Vec<&str> = of_type(entries, kind).collect();
            let message = match ids.as_slice() {
                [] => Some(format!(
                    "Must contain one of each policy type, missing type {}",
                    kind.letter()
                )),
                [id] if !(self.policy_exists)(kind, id) => {
                    Some(format!("The policy {} does not exist", kind.letter()))
                }
                [_] => None,
                _ => Some(format!("Only one policy of type {} allowed", kind.letter())),
            };
            if let Some(message) = message {
                // FOLIO reports the 0-based offset of the ':' here.
                self.defer(RulesError::new(message, colon.line, colon.col));
                return;
            }
        }
    }

    // ---- helpers -------------------------------------------------------------------------

    fn at(&mut self, kind: Kind) -> Result<bool, RulesError> {
        Ok(self.tokens.peek_at(0)?.kind == kind)
    }

    fn expect(&mut self, kind: Kind, expected: &[Kind]) -> Result<Token, RulesError> {
        if self.at(kind)? {
            return self.tokens.next();
        }
        Err(self.unexpected(expected)?)
    }

    /// A syntax error at the next token, worded like FOLIO's parser: "extraneous" when the
    /// token after it would have fitted, else "mismatched".
    fn unexpected(&mut self, expected: &[Kind]) -> Result<RulesError, RulesError> {
        let after = self.tokens.peek_at(1)?.kind;
        let offending = self.tokens.peek_at(0)?.clone();
        let mut kinds = expected.to_vec();
        kinds.sort();
        kinds.dedup();
        let names: Vec<&str> = kinds.iter().map(|k| k.display()).collect();
        let expecting = match names.as_slice() {
            [one] => one.to_string(),
            many => format!("{{{}}}", many.join(", ")),
        };
        let what = if offending.kind != Kind::Eof && kinds.contains(&after) {
            "extraneous"
        } else {
            "mismatched"
        };
        let message = format!("{what} input {} expecting {expecting}", offending.display());
        Ok(error_at(&message, &offending))
    }

    fn defer(&mut self, error: RulesError) {
        self.deferred.get_or_insert(error);
    }
}

type CountMessages = (&'static str, &'static str);

const FALLBACK_MESSAGES: CountMessages = (
    "Must have a fallback policy of type {}",
    "Only one fallback policy of type {} is allowed",
);

/// The first policy type, in l r n o i order, that is missing or repeated.
fn count_problem(entries: &[(PolicyType, String)], messages: CountMessages) -> Option<String> {
    PolicyType::ALL.into_iter().find_map(|kind| {
        let template = match of_type(entries, kind).count() {
            0 => messages.0,
            1 => return None,
            _ => messages.1,
        };
        Some(template.replace("{}", &kind.letter().to_string()))
    })
}

fn of_type(entries: &[(PolicyType, String)], kind: PolicyType) -> impl Iterator<Item = &str> {
    entries
        .iter()
        .filter(move |(k, _)| *k == kind)
        .map(|(_, id)| id.as_str())
}

fn letter_of(token: &Token) -> char {
    token.text.chars().next().unwrap_or(' ')
}

/// An error at a token, with FOLIO's usual 1-based column.
fn error_at(message: &str, token: &Token) -> RulesError {
    RulesError::new(message, token.line, token.col + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "priority: last-line\n\
        fallback-policy: l no-loan r no-hold n basic-notice o overdue i lost-item\n";
    const POLICIES: &str = "l policy-a r no-hold n basic-notice o overdue i lost-item";

    /// FOLIO's reference rules (mod-circulation-storage reference data, single-rule.json).
    const REFERENCE: &str = "priority: number-of-criteria, criterium (t, s, c, b, a, m, g), last-line\nfallback-policy: l d9cd0bed-1b49-4b5e-a7bd-064b8d177231 r 334e5a9e-94f9-4673-8d1d-ab552863886b n 122b3d2b-4788-4f1e-9117-56daa91cb75c o cd3f6cac-fa17-4079-9fae-2fb28e521412 i ed892c0e-52e0-4cd9-8133-c0ef07b4a709 \nm 1a54b431-2e4f-452d-9cae-9cee66c9a892: l 43198de5-f56a-4a53-a0bd-5a324418967a r 334e5a9e-94f9-4673-8d1d-ab552863886b n 122b3d2b-4788-4f1e-9117-56daa91cb75c o cd3f6cac-fa17-4079-9fae-2fb28e521412 i ed892c0e-52e0-4cd9-8133-c0ef07b4a709";

    fn rule_line(criteria: &str) -> String {
        format!("{HEADER}{criteria}: {POLICIES}")
    }

    fn any_of(kind: CriteriumType, ids: &[&str]) -> Criterium {
        Criterium {
            kind,
            selection: Selection::AnyOf(ids.iter().map(|s| s.to_string()).collect()),
        }
    }

    #[test]
    fn parses_the_reference_rules() {
        let rules = parse(REFERENCE).unwrap();
        assert_eq!(
            rules.priority(),
            &Priority {
                regulations: vec![
                    Regulation::NumberOfCriteria,
                    Regulation::Criterium(
                        "tscbamg"
                            .chars()
                            .filter_map(CriteriumType::from_letter)
                            .collect()
                    ),
                ],
                line_order: LineOrder::LastLine,
            }
        );
        assert_eq!(rules.fallback_line(), 2);
        let fallback = rules.fallback();
        assert_eq!(
            fallback.get(PolicyType::Loan),
            "d9cd0bed-1b49-4b5e-a7bd-064b8d177231"
        );
        assert_eq!(
            fallback.get(PolicyType::Request),
            "334e5a9e-94f9-4673-8d1d-ab552863886b"
        );
        assert_eq!(
            fallback.get(PolicyType::Notice),
            "122b3d2b-4788-4f1e-9117-56daa91cb75c"
        );
        assert_eq!(
            fallback.get(PolicyType::OverdueFine),
            "cd3f6cac-fa17-4079-9fae-2fb28e521412"
        );
        assert_eq!(
            fallback.get(PolicyType::LostItem),
            "ed892c0e-52e0-4cd9-8133-c0ef07b4a709"
        );
        let [rule] = rules.rules() else {
            panic!("one rule expected: {:?}", rules.rules())
        };
        assert_eq!(rule.line, 3);
        assert_eq!(
            rule.criteria,
            vec![any_of(
                CriteriumType::MaterialType,
                &["1a54b431-2e4f-452d-9cae-9cee66c9a892"]
            )]
        );
        assert_eq!(
            rule.policies.get(PolicyType::Loan),
            "43198de5-f56a-4a53-a0bd-5a324418967a"
        );
    }

    #[test]
    fn accepts_every_priority_form() {
        use CriteriumType::*;
        use Regulation::NumberOfCriteria as N;
        let tsc = || {
            Regulation::Criterium(vec![
                LoanType,
                Location,
                Library,
                Campus,
                Institution,
                MaterialType,
                PatronGroup,
            ])
        };
        let cases: Vec<(&str, Vec<Regulation>, LineOrder)> = vec![
            ("t, s, c, b, a, m, g", vec![tsc(), N], LineOrder::LastLine),
            ("t s c b a m g", vec![tsc(), N], LineOrder::LastLine),
            ("last-line", vec![], LineOrder::LastLine),
            (
                "number-of-criteria, first-line",
                vec![N],
                LineOrder::FirstLine,
            ),
            (
                "criterium(t,s,c,b,a,m,g), last-line",
                vec![tsc()],
                LineOrder::LastLine,
            ),
            (
                "criterium (t s c b a m g), first-line",
                vec![tsc()],
                LineOrder::FirstLine,
            ),
            (
                "number-of-criteria, criterium (t, s, c, b, a, m, g), last-line",
                vec![N, tsc()],
                LineOrder::LastLine,
            ),
            (
                "criterium(t, s, c, b, a, m, g), number-of-criteria, first-line",
                vec![tsc(), N],
                LineOrder::FirstLine,
            ),
        ];
        for (line, regulations, line_order) in cases {
            let text = format!("priority: {line}\nfallback-policy: {POLICIES}\nm x: {POLICIES}");
            let rules = parse(&text).unwrap_or_else(|e| panic!("{line}: {e:?}"));
            let want = Priority {
                regulations,
                line_order,
            };
            assert_eq!(rules.priority(), &want, "{line}");
        }
        let first_line = parse(&format!(
            "priority: first-line\nm x: {POLICIES}\nfallback-policy: {POLICIES}\n\n"
        ))
        .unwrap();
        assert_eq!(first_line.priority().line_order, LineOrder::FirstLine);
        assert_eq!(first_line.fallback_line(), 3);
        assert_eq!(first_line.rules().len(), 1);
    }

    #[test]
    fn layout_variants_parse_the_same() {
        let texts = [
            format!("priority: last-line\nfallback-policy: {POLICIES}\nm book: {POLICIES}"),
            format!("priority:last-line\nfallback-policy:{POLICIES}\nm book:{POLICIES}\n"),
            format!("priority   :   last-line\nfallback-policy   :   {POLICIES}\nm book   :   {POLICIES}"),
            format!("\n# title\npriority: last-line\r\n/ note\r\n\r\nfallback-policy: {POLICIES} # end\r\n   # indented comment\nm book: {POLICIES}\n\n"),
            format!("priority: last-line\nfallback-policy: {POLICIES}\nm book: i lost-item o overdue n basic-notice r no-hold l policy-a"),
        ];
        let want = vec![any_of(CriteriumType::MaterialType, &["book"])];
        for text in &texts {
            let rules = parse(text).unwrap_or_else(|e| panic!("{text:?}: {e:?}"));
            assert_eq!(rules.rules().len(), 1, "{text:?}");
            assert_eq!(rules.rules()[0].criteria, want, "{text:?}");
            assert_eq!(rules.rules()[0].policies.get(PolicyType::Loan), "policy-a");
        }
        // Comments do not hide rules behind them but do hide a commented-out rule.
        let rules = parse(&format!("{HEADER}# m book: {POLICIES}\n/m dvd: {POLICIES}")).unwrap();
        assert!(rules.rules().is_empty());
    }

    #[test]
    fn criteria_forms() {
        use CriteriumType::*;
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let cases = vec![
            (
                "g visitor undergrad",
                vec![any_of(PatronGroup, &["visitor", "undergrad"])],
            ),
            (
                "m !dvd !music",
                vec![Criterium {
                    kind: MaterialType,
                    selection: Selection::NoneOf(names(&["dvd", "music"])),
                }],
            ),
            (
                "t all",
                vec![Criterium {
                    kind: LoanType,
                    selection: Selection::All,
                }],
            ),
            (
                "g visitor + t rare + s x",
                vec![
                    any_of(PatronGroup, &["visitor"]),
                    any_of(LoanType, &["rare"]),
                    any_of(Location, &["x"]),
                ],
            ),
            (
                "a i1 + b c1 + c l1",
                vec![
                    any_of(Institution, &["i1"]),
                    any_of(Campus, &["c1"]),
                    any_of(Library, &["l1"]),
                ],
            ),
        ];
        for (criteria, want) in cases {
            let rules = parse(&rule_line(criteria)).unwrap_or_else(|e| panic!("{criteria}: {e:?}"));
            assert_eq!(rules.rules()[0].criteria, want, "{criteria}");
        }
    }

    #[test]
    fn nested_lines_inherit_their_ancestors_criteria() {
        let text = format!(
            "{HEADER}g visitor\n    m book: {POLICIES}\n        t rare: {POLICIES}\n\n        t reserve: {POLICIES}\n    s new: {POLICIES}\nm dvd: {POLICIES}"
        );
        let rules = parse(&text).unwrap();
        let got: Vec<(usize, String)> = rules
            .rules()
            .iter()
            .map(|rule| {
                let letters = rule
                    .criteria
                    .iter()
                    .map(|c| match &c.selection {
                        Selection::AnyOf(ids) => format!("{} {}", c.kind.letter(), ids.join(" ")),
                        other => format!("{other:?}"),
                    })
                    .collect::<Vec<_>>()
                    .join(" + ");
                (rule.line, letters)
            })
            .collect();
        let want = vec![
            (4, "g visitor + m book".to_string()),
            (5, "g visitor + m book + t rare".to_string()),
            (7, "g visitor + m book + t reserve".to_string()),
            (8, "g visitor + s new".to_string()),
            (9, "m dvd".to_string()),
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn errors_carry_folio_messages_and_positions() {
        let h = HEADER;
        let p = POLICIES;
        // (rules text, expected message (exact, or prefix when ending in "…"), line, column)
        let cases: Vec<(String, &str, usize, usize)> = vec![
            (format!("priority: first-line\nfallback-policy: {p}\nm book: {p}"), FIRST_LINE_FALLBACK, 3, 1),
            (format!("{h}  \t m book: {p}"), "Tabulator character is not allowed, use spaces instead.", 3, 4),
            (format!("fallback-policy: {p}"), "mismatched input 'fallback-policy' expecting {'priority', NEWLINE}", 1, 1),
            ("foo".into(), "extraneous input 'foo' expecting {'priority', NEWLINE}", 1, 1),
            (format!("! fallback-policy: {p}"), "mismatched input '!' expecting…", 1, 1),
            ("".into(), "mismatched input '<EOF>' expecting…", 1, 1),
            (format!("  priority: last-line\nfallback-policy: {p}"), "extraneous input 'INDENT2' expecting {'priority', NEWLINE}", 1, 1),
            (format!("priority: t g m a b c\nfallback-policy: {p}"), "7 letters expected, found only 6", 1, 11),
            (format!("priority: t g m a b c s s\nfallback-policy: {p}"), "Only 7 letters expected, found 8", 1, 11),
            (format!("priority: t g m a b s s\nfallback-policy: {p}"), "Duplicate letter s", 1, 23),
            (
                format!("priority: criterium(t s c b a m g), criterium(t s c b a m g), last-line\nfallback-policy: {p}"),
                "Duplicate letter t",
                1,
                47,
            ),
            (format!("priority: number-of-criteria, number-of-criteria, last-line\nfallback-policy: {p}"), "Duplicate priority type", 1, 31),
            (format!("priority: number-of-criteria\nfallback-policy: {p}"), "mismatched input '\\n' expecting ','", 1, 29),
            (format!("priority: last-line\nm book: {p}"), "mismatched input 'm' expecting {'fallback-policy', NEWLINE}", 2, 1),
            (
                format!("priority: first-line\nm book: {p}"),
                "mismatched input '<EOF>' expecting {'fallback-policy', CRITERIUM_LETTER, NEWLINE}",
                2,
                66,
            ),
            (format!("{h}m book\n  fallback-policy: {p}"), "mismatched input 'fallback-policy' expecting CRITERIUM_LETTER", 4, 3),
            (format!("{h}fallback-policy: {p}"), "mismatched input 'fallback-policy' expecting…", 3, 1),
            (format!("{h}m: {p}"), "Name missing.", 3, 2),
            // A one-letter word is a criterium letter or policy type, never a name.
            (format!("{h}m a: {p}"), "Name missing.", 3, 3),
            (format!("{h}m book: l r no-hold"), "Name missing.", 3, 11),
            (format!("{h}m book !dvd: {p}"), "A '!' must precede each name or no name.", 3, 9),
            (format!("{h}m !dvd book: {p}"), "A '!' must precede each name or no name.", 3, 12),
            (format!("{h}m book + : {p}"), "mismatched input ':' expecting CRITERIUM_LETTER", 3, 10),
            (format!("{h}m book:"), "Policy missing after ':'", 3, 8),
            (format!("{h}g visitor\n   m book"), "Policy missing", 4, 4),
            (format!("{h}g visitor"), "Policy missing", 3, 1),
            ("priority: t, s, c, b, a, m, g\nfallback-policy".into(), "Policy missing", 2, 16),
            (format!("{h}m book: l policy-a l policy-b r no-hold n basic-notice o overdue i lost-item"), "Only one policy of type l allowed", 3, 6),
            (format!("{h}m book: {p} o overdue-1"), "Only one policy of type o allowed", 3, 6),
            (format!("{h}m book: {p} i lost-item-1"), "Only one policy of type i allowed", 3, 6),
            (format!("{h}m book: l no-loan n basic-notice o overdue i lost-item"), "Must contain one of each policy type, missing type r", 3, 6),
            (format!("{h}m book: l no-loan r x n basic-notice i lost-item"), "Must contain one of each policy type, missing type o", 3, 6),
            (format!("{h}m book: l no-loan r x n basic-notice o overdue"), "Must contain one of each policy type, missing type i", 3, 6),
            ("priority: last-line\nfallback-policy: l no-loan r no-hold o overdue i lost-item\n".into(), "Must have a fallback policy of type n", 2, 0),
            (
                "priority: last-line\nfallback-policy: l no-loan r no-hold n basic-notice r no-hold o overdue i lost-item".into(),
                "Only one fallback policy of type r is allowed",
                2,
                0,
            ),
            (format!("{h}m a1: {p}\n    g x: {p}\n  t y: {p}"), "extraneous input 'INDENT2' expecting…", 5, 1),
            (format!("{h}m a1: {p}\nm a2: {p}\nfallback-policy: {p}"), "mismatched input 'fallback-policy' expecting…", 5, 1),
            (format!("{h}priority: last-line"), "mismatched input 'priority' expecting…", 3, 1),
            // A syntax error wins over an earlier failed check, as in FOLIO.
            (format!("priority: t g m\nfallback-policy: {p}\nm: {p}"), "Name missing.", 3, 2),
            // Of two failed checks the first in the text wins.
            (format!("{h}m x: {p} l x\nm y: l y"), "Only one policy of type l allowed", 3, 3),
        ];
        for (text, message, line, column) in cases {
            let error = parse(&text).expect_err(&text);
            match message.strip_suffix('…') {
                Some(prefix) => assert!(error.message.starts_with(prefix), "{text:?}: {error:?}"),
                None => assert_eq!(error.message, message, "{text:?}"),
            }
            assert_eq!(
                (error.line, error.column),
                (line, column),
                "{text:?}: {error:?}"
            );
            assert_eq!(error.to_string(), error.message);
        }
    }

    #[test]
    fn unknown_policies_are_reported_when_checked() {
        let known = |kind: PolicyType, id: &str| !(kind == PolicyType::Request && id == "gone");
        let ok = format!("{HEADER}m book: {POLICIES}");
        assert!(parse_with_policy_check(&ok, known).is_ok());
        let bad = format!("{HEADER}m book: l policy-a r gone n basic-notice o overdue i lost-item");
        let error = parse_with_policy_check(&bad, known).unwrap_err();
        assert_eq!(error, RulesError::new("The policy r does not exist", 3, 6));
        let bad_fallback = "priority: last-line\nfallback-policy: l no-loan r gone n x o y i z";
        let error = parse_with_policy_check(bad_fallback, known).unwrap_err();
        assert_eq!(error, RulesError::new("The policy r does not exist", 2, 15));
    }

    #[test]
    fn error_serialises_as_folio_body() {
        let error = RulesError::new("Policy missing", 4, 4);
        let json = serde_json::to_value(&error).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"message": "Policy missing", "line": 4, "column": 4})
        );
    }
}
