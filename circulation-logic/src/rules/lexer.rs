//! Tokens of a rules text, the way FOLIO's grammar cuts it.
//!
//! * A word of `[0-9a-zA-Z-]` is a keyword if it spells one, else a single `t a b c s m g` is a
//!   criterium letter, a single `l r n o i` a policy type, anything else a name.
//! * `#` or `/` starts a comment to the end of the line; spaces separate tokens; a tab is an
//!   error; any other character is dropped (FOLIO's lexer skips what it cannot read).
//! * Lines that hold only spaces or a comment are invisible. Every other line ends with a
//!   NEWLINE token (one is made up at the end of the text if needed), and a change of
//!   indentation produces INDENT / DEDENT tokens before the line's first token, Python style.
//!
//! Positions: `line` is 1-based, `col` is the 0-based character offset in the line.

use std::collections::VecDeque;

use super::RulesError;

/// Token kinds, in the order FOLIO's grammar numbers them (used to list "expecting" sets).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Kind {
    Eof,
    Priority,
    Colon,
    FirstLine,
    LastLine,
    Comma,
    CriteriumKw,
    LParen,
    RParen,
    NumberOfCriteria,
    Plus,
    Bang,
    All,
    FallbackPolicy,
    Indent,
    Dedent,
    CriteriumLetter,
    PolicyType,
    Name,
    Newline,
    /// Spaces and comments; never leaves the lexer.
    Trivia,
}

impl Kind {
    /// How FOLIO's parser names a kind in "expecting ..." messages.
    pub(crate) fn display(self) -> &'static str {
        match self {
            Kind::Eof => "<EOF>",
            Kind::Priority => "'priority'",
            Kind::Colon => "':'",
            Kind::FirstLine => "'first-line'",
            Kind::LastLine => "'last-line'",
            Kind::Comma => "','",
            Kind::CriteriumKw => "'criterium'",
            Kind::LParen => "'('",
            Kind::RParen => "')'",
            Kind::NumberOfCriteria => "'number-of-criteria'",
            Kind::Plus => "'+'",
            Kind::Bang => "'!'",
            Kind::All => "'all'",
            Kind::FallbackPolicy => "'fallback-policy'",
            Kind::Indent => "INDENT",
            Kind::Dedent => "DEDENT",
            Kind::CriteriumLetter => "CRITERIUM_LETTER",
            Kind::PolicyType => "POLICY_TYPE",
            Kind::Name => "NAME",
            Kind::Newline => "NEWLINE",
            Kind::Trivia => "TRIVIA",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    pub kind: Kind,
    pub text: String,
    pub line: usize,
    pub col: usize,
}

impl Token {
    /// The token as FOLIO quotes it in syntax error messages.
    pub(crate) fn display(&self) -> String {
        let text = if self.kind == Kind::Eof {
            "<EOF>".to_string()
        } else {
            self.text
                .replace('\n', "\\n")
                .replace('\r', "\\r")
                .replace('\t', "\\t")
        };
        format!("'{text}'")
    }
}

pub(crate) struct Lexer {
    chars: Vec<char>,
    pos: usize,
    line: usize,
    col: usize,
    /// True from a line break until the first real token of the next line.
    pending_dent: bool,
    /// Spaces seen at the start of the current line.
    indent_count: usize,
    indent_stack: Vec<usize>,
    /// Position of the current line's first token: where INDENT/DEDENT are placed.
    line_start: Option<(usize, usize)>,
    queue: VecDeque<Token>,
}

impl Lexer {
    pub(crate) fn new(text: &str) -> Self {
        Lexer {
            chars: text.chars().collect(),
            pos: 0,
            line: 1,
            col: 0,
            // Leading spaces on the very first line produce an INDENT (a syntax error).
            pending_dent: true,
            indent_count: 0,
            indent_stack: Vec::new(),
            line_start: None,
            queue: VecDeque::new(),
        }
    }

    /// The next token for the parser; after the end it keeps returning EOF.
    pub(crate) fn next_token(&mut self) -> Result<Token, RulesError> {
        loop {
            if let Some(token) = self.queue.pop_front() {
                return Ok(token);
            }
            let (token, hidden) = self.next_raw()?;
            if self.pending_dent && self.line_start.is_none() && token.kind != Kind::Newline {
                self.line_start = Some((token.line, token.col));
            }
            if hidden {
                continue;
            }
            if token.kind == Kind::Newline {
                return Ok(token);
            }
            if token.kind == Kind::Eof {
                self.indent_count = 0;
                if !self.pending_dent {
                    // The last line has no line break: end it as if it had one.
                    self.line_start = Some((token.line, token.col));
                    let newline = self.made_up(Kind::Newline, "NEWLINE".into());
                    self.queue.push_back(newline);
                }
            }
            self.queue_dents();
            self.pending_dent = false;
            self.queue.push_back(token);
        }
    }

    fn saved_indent(&self) -> usize {
        self.indent_stack.last().copied().unwrap_or(0)
    }

    fn queue_dents(&mut self) {
        while self.indent_count != self.saved_indent() {
            if self.indent_count > self.saved_indent() {
                self.indent_stack.push(self.indent_count);
                let token = self.made_up(Kind::Indent, format!("INDENT{}", self.indent_count));
                self.queue.push_back(token);
            } else {
                self.indent_stack.pop();
                let token = self.made_up(Kind::Dedent, format!("DEDENT{}", self.saved_indent()));
                self.queue.push_back(token);
            }
        }
    }

    fn made_up(&self, kind: Kind, text: String) -> Token {
        let (line, col) = self.line_start.unwrap_or((self.line, self.col));
        Token {
            kind,
            text,
            line,
            col,
        }
    }

    fn peek_char(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn bump(&mut self) -> char {
        let c = self.chars[self.pos];
        self.pos += 1;
        if c == '\n' {
            self.line += 1;
            self.col = 0;
        } else {
            self.col += 1;
        }
        c
    }

    /// One token as the plain lexer sees it, and whether it is hidden from the parser.
    fn next_raw(&mut self) -> Result<(Token, bool), RulesError> {
        loop {
            let (line, col, start) = (self.line, self.col, self.pos);
            let Some(c) = self.peek_char() else {
                return Ok((token(Kind::Eof, "<EOF>".into(), line, col), false));
            };
            let kind = match c {
                ' ' => {
                    while self.peek_char() == Some(' ') {
                        self.bump();
                    }
                    if self.pending_dent {
                        self.indent_count += self.pos - start;
                    }
                    Kind::Trivia
                }
                '\t' => {
                    self.bump();
                    // FOLIO reports the column after the tab, 1-based.
                    return Err(RulesError::new(
                        "Tabulator character is not allowed, use spaces instead.",
                        self.line,
                        self.col + 1,
                    ));
                }
                '#' | '/' => {
                    while !matches!(self.peek_char(), None | Some('\n' | '\r')) {
                        self.bump();
                    }
                    Kind::Trivia
                }
                '\n' | '\r' => {
                    if self.bump() == '\r' && self.peek_char() == Some('\n') {
                        self.bump();
                    }
                    // A line break ending an invisible line is itself invisible.
                    let hidden = self.pending_dent;
                    self.pending_dent = true;
                    self.indent_count = 0;
                    self.line_start = None;
                    let text = self.chars[start..self.pos].iter().collect();
                    return Ok((token(Kind::Newline, text, line, col), hidden));
                }
                ':' | ',' | '(' | ')' | '+' | '!' => {
                    self.bump();
                    punctuation(c)
                }
                c if is_name_char(c) => {
                    while self.peek_char().is_some_and(is_name_char) {
                        self.bump();
                    }
                    let word: String = self.chars[start..self.pos].iter().collect();
                    let kind = word_kind(&word);
                    return Ok((token(kind, word, line, col), false));
                }
                _ => {
                    // Unreadable character: dropped, as FOLIO's lexer recovers.
                    self.bump();
                    continue;
                }
            };
            let text = self.chars[start..self.pos].iter().collect();
            return Ok((token(kind, text, line, col), kind == Kind::Trivia));
        }
    }
}

fn token(kind: Kind, text: String, line: usize, col: usize) -> Token {
    Token {
        kind,
        text,
        line,
        col,
    }
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-'
}

fn punctuation(c: char) -> Kind {
    match c {
        ':' => Kind::Colon,
        ',' => Kind::Comma,
        '(' => Kind::LParen,
        ')' => Kind::RParen,
        '+' => Kind::Plus,
        _ => Kind::Bang,
    }
}

fn word_kind(word: &str) -> Kind {
    match word {
        "priority" => Kind::Priority,
        "first-line" => Kind::FirstLine,
        "last-line" => Kind::LastLine,
        "criterium" => Kind::CriteriumKw,
        "number-of-criteria" => Kind::NumberOfCriteria,
        "all" => Kind::All,
        "fallback-policy" => Kind::FallbackPolicy,
        "t" | "a" | "b" | "c" | "s" | "m" | "g" => Kind::CriteriumLetter,
        "l" | "r" | "n" | "o" | "i" => Kind::PolicyType,
        _ => Kind::Name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(Kind, usize, usize)> {
        let mut lexer = Lexer::new(text);
        let mut out = Vec::new();
        loop {
            let t = lexer.next_token().unwrap();
            out.push((t.kind, t.line, t.col));
            if t.kind == Kind::Eof {
                return out;
            }
        }
    }

    #[test]
    fn words_become_keywords_letters_or_names() {
        let cases = [
            ("priority", Kind::Priority),
            ("first-line", Kind::FirstLine),
            ("first-line-x", Kind::Name),
            ("all", Kind::All),
            ("alle", Kind::Name),
            ("m", Kind::CriteriumLetter),
            ("l", Kind::PolicyType),
            ("x", Kind::Name),
            ("7", Kind::Name),
            ("1a54b431-2e4f-452d-9cae-9cee66c9a892", Kind::Name),
        ];
        for (word, kind) in cases {
            assert_eq!(word_kind(word), kind, "{word}");
        }
    }

    #[test]
    fn indentation_makes_indent_and_dedent() {
        use Kind::*;
        let got = kinds("m x\n  g y\n\n  # note\nt z");
        let want = vec![
            (CriteriumLetter, 1, 0),
            (Name, 1, 2),
            (Newline, 1, 3),
            (Indent, 2, 0),
            (CriteriumLetter, 2, 2),
            (Name, 2, 4),
            (Newline, 2, 5),
            (Dedent, 5, 0),
            (CriteriumLetter, 5, 0),
            (Name, 5, 2),
            (Newline, 5, 3),
            (Eof, 5, 3),
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn end_of_text_closes_open_blocks() {
        use Kind::*;
        let got: Vec<Kind> = kinds("m x\n  g y\n").into_iter().map(|k| k.0).collect();
        assert_eq!(
            got,
            vec![
                CriteriumLetter,
                Name,
                Newline,
                Indent,
                CriteriumLetter,
                Name,
                Newline,
                Dedent,
                Eof
            ]
        );
    }

    #[test]
    fn unreadable_characters_are_dropped() {
        use Kind::*;
        let got: Vec<Kind> = kinds("m a_b").into_iter().map(|k| k.0).collect();
        assert_eq!(
            got,
            vec![
                CriteriumLetter,
                CriteriumLetter,
                CriteriumLetter,
                Newline,
                Eof
            ]
        );
    }
}
