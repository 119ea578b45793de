//! Lexer and recursive-descent parser for CQL 1.2
//! (<https://www.loc.gov/standards/sru/cql/spec.html>).
//!
//! ```text
//! sortedQuery  ::= prefixAssignment* scopedClause ['sortBy' sortKey+]
//! scopedClause ::= searchClause (booleanOp modifier* searchClause)*     (left-associative)
//! searchClause ::= '(' prefixAssignment* scopedClause ')'
//!                | index relation modifier* '(' prefixAssignment* scopedClause ')'
//!                | index relation modifier* term
//!                | term
//! modifier     ::= '/' name [comparator value]
//! ```
//!
//! Terms keep their backslashes: masking (`\*`, `\?`, `\"`, `\\`) is interpreted by
//! the consumers (sql.rs, eval.rs), as CQL prescribes. A bare term inherits the index
//! and relation of its context: `cql.serverChoice =` at the top, or the enclosing
//! `index relation (...)`, so `id==("a" or "b")` means `id=="a" or id=="b"`.
//!
//! Positions in errors are 0-based character offsets into the query.

use std::fmt;

/// Deepest parenthesis nesting accepted. Real queries nest a few levels; the limit
/// keeps hostile input from exhausting the stack.
pub const MAX_NESTING: usize = 64;
/// Deepest AST accepted (a chain `a or b or c ...` is as deep as it is long). Chains are
/// walked iteratively ([`Node::left_spine`]); the limit bounds what stays recursive
/// (drop, derived traits).
pub const MAX_TREE_DEPTH: usize = 2000;

/// A parse error, or a query the translator cannot handle, with the offending position.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} at position {position}")]
pub struct CqlError {
    pub message: String,
    /// 0-based character offset in the query.
    pub position: usize,
}

impl CqlError {
    pub fn new(message: impl Into<String>, position: usize) -> Self {
        CqlError {
            message: message.into(),
            position,
        }
    }
}

/// A parsed query: the search tree and the `sortBy` keys (empty when absent).
#[derive(Debug, Clone, PartialEq)]
pub struct CqlQuery {
    pub root: Node,
    pub sort: Vec<SortKey>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Boolean {
        op: BoolOp,
        modifiers: Vec<Modifier>,
        left: Box<Node>,
        right: Box<Node>,
    },
    Clause {
        /// Field name as written (`status.name`), or `cql.serverChoice` for a bare term.
        index: String,
        relation: Relation,
        modifiers: Vec<Modifier>,
        /// The term without its quotes, backslashes kept.
        term: String,
        /// Where the clause starts in the query (for error messages).
        position: usize,
    },
}

impl Node {
    /// A left-associative chain `c0 op1 c1 op2 c2 ...` as its first operand and the
    /// `(op, right operand)` pairs in order, found without recursion. Consumers walk
    /// chains with this, so their recursion depth is bounded by parenthesis nesting
    /// rather than by the length of `id==(a or b or ...)`.
    pub fn left_spine(&self) -> (&Node, Vec<(BoolOp, &Node)>) {
        let mut rights = Vec::new();
        let mut node = self;
        while let Node::Boolean {
            op, left, right, ..
        } = node
        {
            rights.push((*op, right.as_ref()));
            node = left;
        }
        rights.reverse();
        (node, rights)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoolOp {
    And,
    Or,
    Not,
    Prox,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    /// `=`
    Equals,
    /// `==`
    DoubleEquals,
    /// `<>`
    NotEquals,
    /// `<`
    Less,
    /// `>`
    Greater,
    /// `<=`
    LessOrEqual,
    /// `>=`
    GreaterOrEqual,
    Adj,
    All,
    Any,
    Within,
    Encloses,
    Exact,
}

impl Relation {
    pub fn as_str(self) -> &'static str {
        match self {
            Relation::Equals => "=",
            Relation::DoubleEquals => "==",
            Relation::NotEquals => "<>",
            Relation::Less => "<",
            Relation::Greater => ">",
            Relation::LessOrEqual => "<=",
            Relation::GreaterOrEqual => ">=",
            Relation::Adj => "adj",
            Relation::All => "all",
            Relation::Any => "any",
            Relation::Within => "within",
            Relation::Encloses => "encloses",
            Relation::Exact => "exact",
        }
    }

    fn from_symbol(s: &str) -> Option<Relation> {
        Some(match s {
            "=" => Relation::Equals,
            "==" => Relation::DoubleEquals,
            "<>" => Relation::NotEquals,
            "<" => Relation::Less,
            ">" => Relation::Greater,
            "<=" => Relation::LessOrEqual,
            ">=" => Relation::GreaterOrEqual,
            _ => return None,
        })
    }

    /// Named relations are case-insensitive.
    fn from_word(w: &str) -> Option<Relation> {
        Some(match w.to_ascii_lowercase().as_str() {
            "adj" => Relation::Adj,
            "all" => Relation::All,
            "any" => Relation::Any,
            "within" => Relation::Within,
            "encloses" => Relation::Encloses,
            "exact" => Relation::Exact,
            _ => return None,
        })
    }
}

impl fmt::Display for Relation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `/name` or `/name=value` (any comparator symbol) on a relation, boolean or sort key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Modifier {
    pub name: String,
    /// Comparator and value when the modifier has one.
    pub comparison: Option<String>,
    pub value: Option<String>,
}

impl Modifier {
    /// A modifier without value, as used in tests and by callers building ASTs.
    pub fn flag(name: &str) -> Modifier {
        Modifier {
            name: name.to_string(),
            comparison: None,
            value: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortKey {
    pub index: String,
    pub modifiers: Vec<Modifier>,
    pub position: usize,
}

impl SortKey {
    /// `/sort.descending` (case-insensitive) was given.
    pub fn descending(&self) -> bool {
        self.modifiers
            .iter()
            .any(|m| m.name.eq_ignore_ascii_case("sort.descending"))
    }
}

/// Parses a CQL query. Never panics; every malformed input gives a `CqlError`.
pub fn parse(input: &str) -> Result<CqlQuery, CqlError> {
    let tokens = lex(input)?;
    let mut p = Parser {
        tokens,
        i: 0,
        nesting: 0,
    };
    if p.peek().kind == Kind::Eof {
        return Err(CqlError::new("empty query", 0));
    }
    p.prefix_assignments()?;
    let ctx = Context {
        index: "cql.serverChoice".to_string(),
        relation: Relation::Equals,
        modifiers: Vec::new(),
    };
    let (root, _) = p.scoped_clause(&ctx)?;
    let sort = if p.peek_keyword() == Some(Keyword::SortBy) {
        p.advance();
        p.sort_keys()?
    } else {
        Vec::new()
    };
    let t = p.peek();
    match &t.kind {
        Kind::Eof => Ok(CqlQuery { root, sort }),
        Kind::RParen => Err(CqlError::new(
            "unbalanced parentheses: ')' without a matching '('",
            t.pos,
        )),
        _ => Err(CqlError::new(
            format!("unexpected {} after the end of the query", t.describe()),
            t.pos,
        )),
    }
}

// ---------------------------------------------------------------------------
// Lexer

#[derive(Debug, Clone, PartialEq)]
enum Kind {
    LParen,
    RParen,
    Slash,
    /// `=` `==` `<>` `<` `>` `<=` `>=`
    Symbol(&'static str),
    /// Unquoted word (may be a keyword or a named relation).
    Word(String),
    /// Quoted string, without quotes, backslashes kept.
    Quoted(String),
    Eof,
}

#[derive(Debug, Clone)]
struct Token {
    kind: Kind,
    pos: usize,
}

impl Token {
    fn describe(&self) -> String {
        match &self.kind {
            Kind::LParen => "'('".into(),
            Kind::RParen => "')'".into(),
            Kind::Slash => "'/'".into(),
            Kind::Symbol(s) => format!("'{s}'"),
            Kind::Word(w) => format!("'{}'", shorten(w)),
            Kind::Quoted(q) => format!("\"{}\"", shorten(q)),
            Kind::Eof => "end of query".into(),
        }
    }
}

/// Keeps error messages short when the user sends huge tokens.
pub(crate) fn shorten(s: &str) -> String {
    const MAX: usize = 60;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(MAX).collect();
        t.push_str("...");
        t
    }
}

/// Characters that end an unquoted word (CQL requires quoting terms containing them).
fn is_delimiter(c: char) -> bool {
    c.is_whitespace() || matches!(c, '(' | ')' | '=' | '<' | '>' | '"' | '/')
}

fn lex(input: &str) -> Result<Vec<Token>, CqlError> {
    let chars: Vec<char> = input.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let pos = i;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let kind = match c {
            '(' => {
                i += 1;
                Kind::LParen
            }
            ')' => {
                i += 1;
                Kind::RParen
            }
            '/' => {
                i += 1;
                Kind::Slash
            }
            '=' | '<' | '>' => {
                let next = chars.get(i + 1).copied();
                let (sym, len) = match (c, next) {
                    ('=', Some('=')) => ("==", 2),
                    ('=', _) => ("=", 1),
                    ('<', Some('>')) => ("<>", 2),
                    ('<', Some('=')) => ("<=", 2),
                    ('<', _) => ("<", 1),
                    ('>', Some('=')) => (">=", 2),
                    _ => (">", 1),
                };
                i += len;
                Kind::Symbol(sym)
            }
            '"' => {
                i += 1;
                let mut s = String::new();
                loop {
                    match chars.get(i) {
                        None => {
                            return Err(CqlError::new(
                                format!("unterminated quoted string starting at position {pos}"),
                                chars.len(),
                            ))
                        }
                        Some('"') => {
                            i += 1;
                            break;
                        }
                        Some('\\') => {
                            // Keep the backslash: masking is the consumer's business.
                            s.push('\\');
                            if let Some(&n) = chars.get(i + 1) {
                                s.push(n);
                                i += 2;
                            } else {
                                i += 1;
                            }
                        }
                        Some(&ch) => {
                            s.push(ch);
                            i += 1;
                        }
                    }
                }
                Kind::Quoted(s)
            }
            _ => {
                let mut s = String::new();
                while i < chars.len() && !is_delimiter(chars[i]) {
                    if chars[i] == '\\' && i + 1 < chars.len() {
                        s.push('\\');
                        s.push(chars[i + 1]);
                        i += 2;
                    } else {
                        s.push(chars[i]);
                        i += 1;
                    }
                }
                Kind::Word(s)
            }
        };
        tokens.push(Token { kind, pos });
    }
    tokens.push(Token {
        kind: Kind::Eof,
        pos: chars.len(),
    });
    Ok(tokens)
}

// ---------------------------------------------------------------------------
// Parser

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keyword {
    And,
    Or,
    Not,
    Prox,
    SortBy,
}

fn keyword(w: &str) -> Option<Keyword> {
    Some(match w.to_ascii_lowercase().as_str() {
        "and" => Keyword::And,
        "or" => Keyword::Or,
        "not" => Keyword::Not,
        "prox" => Keyword::Prox,
        "sortby" => Keyword::SortBy,
        _ => return None,
    })
}

/// Index, relation and modifiers that a bare term inherits.
struct Context {
    index: String,
    relation: Relation,
    modifiers: Vec<Modifier>,
}

struct Parser {
    tokens: Vec<Token>,
    i: usize,
    nesting: usize,
}

impl Parser {
    fn peek(&self) -> &Token {
        // The token list always ends with Eof and `i` never passes it.
        &self.tokens[self.i.min(self.tokens.len() - 1)]
    }

    fn advance(&mut self) -> Token {
        let t = self.peek().clone();
        if self.i < self.tokens.len() - 1 {
            self.i += 1;
        }
        t
    }

    fn peek_keyword(&self) -> Option<Keyword> {
        match &self.peek().kind {
            Kind::Word(w) => keyword(w),
            _ => None,
        }
    }

    /// `> name = "uri"` or `> "uri"`: accepted and ignored (no context sets are used).
    fn prefix_assignments(&mut self) -> Result<(), CqlError> {
        while self.peek().kind == Kind::Symbol(">") {
            self.advance();
            let first = self.advance();
            if !matches!(first.kind, Kind::Word(_) | Kind::Quoted(_)) {
                return Err(CqlError::new(
                    format!(
                        "expected a prefix name or URI after '>' but found {}",
                        first.describe()
                    ),
                    first.pos,
                ));
            }
            if self.peek().kind == Kind::Symbol("=") {
                self.advance();
                let uri = self.advance();
                if !matches!(uri.kind, Kind::Word(_) | Kind::Quoted(_)) {
                    return Err(CqlError::new(
                        format!(
                            "expected a URI in the prefix assignment but found {}",
                            uri.describe()
                        ),
                        uri.pos,
                    ));
                }
            }
        }
        Ok(())
    }

    /// searchClause (booleanOp searchClause)*, left-associative. Returns the node and its depth.
    fn scoped_clause(&mut self, ctx: &Context) -> Result<(Node, usize), CqlError> {
        let (mut left, mut depth) = self.search_clause(ctx)?;
        loop {
            let op = match self.peek_keyword() {
                Some(Keyword::And) => BoolOp::And,
                Some(Keyword::Or) => BoolOp::Or,
                Some(Keyword::Not) => BoolOp::Not,
                Some(Keyword::Prox) => BoolOp::Prox,
                _ => break,
            };
            let op_token = self.advance();
            let modifiers = self.modifiers()?;
            if matches!(self.peek().kind, Kind::Eof | Kind::RParen) {
                let t = self.peek();
                return Err(CqlError::new(
                    format!(
                        "expected a search clause after boolean {} but found {}",
                        op_token.describe(),
                        t.describe()
                    ),
                    t.pos,
                ));
            }
            let (right, right_depth) = self.search_clause(ctx)?;
            depth = depth.max(right_depth) + 1;
            if depth > MAX_TREE_DEPTH {
                return Err(CqlError::new(
                    format!("query too complex (more than {MAX_TREE_DEPTH} levels)"),
                    op_token.pos,
                ));
            }
            left = Node::Boolean {
                op,
                modifiers,
                left: Box::new(left),
                right: Box::new(right),
            };
        }
        Ok((left, depth))
    }

    /// `( ... )` with the nesting check; `ctx` is what bare terms inside inherit.
    fn parenthesised(&mut self, ctx: &Context) -> Result<(Node, usize), CqlError> {
        let open = self.advance();
        self.nesting += 1;
        if self.nesting > MAX_NESTING {
            return Err(CqlError::new(
                format!("parentheses nested deeper than {MAX_NESTING} levels"),
                open.pos,
            ));
        }
        self.prefix_assignments()?;
        let inner = self.scoped_clause(ctx)?;
        let t = self.peek();
        if t.kind != Kind::RParen {
            return Err(CqlError::new(
                format!(
                    "unbalanced parentheses: expected ')' to close the '(' at position {} but found {}",
                    open.pos,
                    t.describe()
                ),
                t.pos,
            ));
        }
        self.advance();
        self.nesting -= 1;
        Ok(inner)
    }

    fn search_clause(&mut self, ctx: &Context) -> Result<(Node, usize), CqlError> {
        let t = self.peek().clone();
        let first = match &t.kind {
            Kind::LParen => return self.parenthesised(ctx),
            Kind::Word(w) if keyword(w).is_some() => {
                return Err(CqlError::new(
                    format!(
                        "expected a search term or '(' but found the keyword {}",
                        t.describe()
                    ),
                    t.pos,
                ))
            }
            Kind::Word(w) | Kind::Quoted(w) => w.clone(),
            Kind::RParen => {
                return Err(CqlError::new(
                    "expected a search term or '(' but found ')'",
                    t.pos,
                ))
            }
            _ => {
                return Err(CqlError::new(
                    format!("expected a search term or '(' but found {}", t.describe()),
                    t.pos,
                ))
            }
        };
        self.advance();

        // What follows the first word decides: a relation makes it an index.
        let next = self.peek().clone();
        let relation = match &next.kind {
            Kind::Symbol(s) => Relation::from_symbol(s),
            Kind::Word(w) if keyword(w).is_some() => None,
            Kind::Word(w) => match Relation::from_word(w) {
                Some(r) => Some(r),
                None => {
                    return Err(CqlError::new(
                        format!(
                            "unknown relation '{}' after index '{}'",
                            shorten(w),
                            shorten(&first)
                        ),
                        next.pos,
                    ))
                }
            },
            Kind::Quoted(_) | Kind::LParen | Kind::Slash => {
                return Err(CqlError::new(
                    format!(
                        "expected a relation after index '{}' but found {}",
                        shorten(&first),
                        next.describe()
                    ),
                    next.pos,
                ))
            }
            Kind::RParen | Kind::Eof => None,
        };
        let Some(relation) = relation else {
            // A bare term: index and relation come from the context.
            let node = Node::Clause {
                index: ctx.index.clone(),
                relation: ctx.relation,
                modifiers: ctx.modifiers.clone(),
                term: first,
                position: t.pos,
            };
            return Ok((node, 1));
        };
        self.advance();
        let modifiers = self.modifiers()?;

        let term_token = self.peek().clone();
        match &term_token.kind {
            Kind::LParen => {
                // index rel ( t1 or t2 ): the terms inside inherit index and relation.
                let inner = Context {
                    index: first,
                    relation,
                    modifiers,
                };
                self.parenthesised(&inner)
            }
            // An unquoted boolean keyword here is a missing term, not the word "and":
            // `a= and b=c` is an error (quote it to search for the word).
            Kind::Word(w) if keyword(w).is_some() => Err(CqlError::new(
                format!(
                    "expected a search term after '{} {}' but found the keyword {}",
                    shorten(&first),
                    relation,
                    term_token.describe()
                ),
                term_token.pos,
            )),
            Kind::Word(term) | Kind::Quoted(term) => {
                let term = term.clone();
                self.advance();
                Ok((
                    Node::Clause {
                        index: first,
                        relation,
                        modifiers,
                        term,
                        position: t.pos,
                    },
                    1,
                ))
            }
            _ => Err(CqlError::new(
                format!(
                    "expected a search term after '{} {}' but found {}",
                    shorten(&first),
                    relation,
                    term_token.describe()
                ),
                term_token.pos,
            )),
        }
    }

    /// ('/' name [comparator value])*
    fn modifiers(&mut self) -> Result<Vec<Modifier>, CqlError> {
        let mut out = Vec::new();
        while self.peek().kind == Kind::Slash {
            self.advance();
            let name_token = self.advance();
            let name = match name_token.kind {
                Kind::Word(w) | Kind::Quoted(w) if !w.is_empty() => w,
                _ => {
                    return Err(CqlError::new(
                        format!(
                            "expected a modifier name after '/' but found {}",
                            name_token.describe()
                        ),
                        name_token.pos,
                    ))
                }
            };
            let mut modifier = Modifier {
                name,
                comparison: None,
                value: None,
            };
            if let Kind::Symbol(cmp) = self.peek().kind {
                self.advance();
                let value = self.advance();
                match value.kind {
                    Kind::Word(v) | Kind::Quoted(v) => {
                        modifier.comparison = Some(cmp.to_string());
                        modifier.value = Some(v);
                    }
                    _ => {
                        return Err(CqlError::new(
                            format!(
                                "expected a value for modifier '{}' after '{cmp}' but found {}",
                                shorten(&modifier.name),
                                value.describe()
                            ),
                            value.pos,
                        ))
                    }
                }
            }
            out.push(modifier);
        }
        Ok(out)
    }

    /// sortKey+ up to the end of the query.
    fn sort_keys(&mut self) -> Result<Vec<SortKey>, CqlError> {
        let mut keys = Vec::new();
        loop {
            let t = self.peek().clone();
            match t.kind {
                Kind::Word(index) | Kind::Quoted(index) => {
                    self.advance();
                    let modifiers = self.modifiers()?;
                    keys.push(SortKey {
                        index,
                        modifiers,
                        position: t.pos,
                    });
                }
                Kind::Eof if !keys.is_empty() => return Ok(keys),
                _ => {
                    return Err(CqlError::new(
                        format!("expected a sort index but found {}", t.describe()),
                        t.pos,
                    ))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clause(index: &str, relation: Relation, term: &str) -> Node {
        Node::Clause {
            index: index.into(),
            relation,
            modifiers: vec![],
            term: term.into(),
            position: 0,
        }
    }

    fn boolean(op: BoolOp, l: Node, r: Node) -> Node {
        Node::Boolean {
            op,
            modifiers: vec![],
            left: Box::new(l),
            right: Box::new(r),
        }
    }

    /// Positions make hand-written expectations noisy; compare without them.
    fn strip(n: &Node) -> Node {
        match n {
            Node::Boolean {
                op,
                modifiers,
                left,
                right,
            } => Node::Boolean {
                op: *op,
                modifiers: modifiers.clone(),
                left: Box::new(strip(left)),
                right: Box::new(strip(right)),
            },
            Node::Clause {
                index,
                relation,
                modifiers,
                term,
                ..
            } => Node::Clause {
                index: index.clone(),
                relation: *relation,
                modifiers: modifiers.clone(),
                term: term.clone(),
                position: 0,
            },
        }
    }

    fn root(q: &str) -> Node {
        strip(&parse(q).unwrap_or_else(|e| panic!("{q}: {e}")).root)
    }

    use BoolOp::*;
    use Relation::*;

    #[test]
    fn parses_clauses_and_booleans() {
        let cases: Vec<(&str, Node)> = vec![
            ("a=b", clause("a", Equals, "b")),
            (
                "status.name==\"Open\"",
                clause("status.name", DoubleEquals, "Open"),
            ),
            ("  x  <>  y  ", clause("x", NotEquals, "y")),
            ("x<1", clause("x", Less, "1")),
            ("x>1", clause("x", Greater, "1")),
            ("x<=1", clause("x", LessOrEqual, "1")),
            ("x>=1", clause("x", GreaterOrEqual, "1")),
            ("x ADJ \"a b\"", clause("x", Adj, "a b")),
            ("x all \"a b\"", clause("x", All, "a b")),
            ("x any \"a b\"", clause("x", Any, "a b")),
            ("x within \"1 2\"", clause("x", Within, "1 2")),
            ("x encloses y", clause("x", Encloses, "y")),
            ("x exact y", clause("x", Exact, "y")),
            ("dog", clause("cql.serverChoice", Equals, "dog")),
            ("\"a b\"", clause("cql.serverChoice", Equals, "a b")),
            ("x = \"and\"", clause("x", Equals, "and")),
            ("x==\"a\\\"b\"", clause("x", DoubleEquals, "a\\\"b")),
            ("x==a\\*b", clause("x", DoubleEquals, "a\\*b")),
            ("x==\"\"", clause("x", DoubleEquals, "")),
            (
                "a=1 and b=2 or c=3",
                boolean(
                    Or,
                    boolean(And, clause("a", Equals, "1"), clause("b", Equals, "2")),
                    clause("c", Equals, "3"),
                ),
            ),
            (
                "a=1 AND (b=2 or c=3)",
                boolean(
                    And,
                    clause("a", Equals, "1"),
                    boolean(Or, clause("b", Equals, "2"), clause("c", Equals, "3")),
                ),
            ),
            (
                "a=1 not b=2",
                boolean(Not, clause("a", Equals, "1"), clause("b", Equals, "2")),
            ),
            (
                "a=1 prox b=2",
                boolean(Prox, clause("a", Equals, "1"), clause("b", Equals, "2")),
            ),
            (
                "id==(\"u1\" or \"u2\" or u3)",
                boolean(
                    Or,
                    boolean(
                        Or,
                        clause("id", DoubleEquals, "u1"),
                        clause("id", DoubleEquals, "u2"),
                    ),
                    clause("id", DoubleEquals, "u3"),
                ),
            ),
            (
                "t==(a or (b and c=d))",
                boolean(
                    Or,
                    clause("t", DoubleEquals, "a"),
                    boolean(
                        And,
                        clause("t", DoubleEquals, "b"),
                        clause("c", Equals, "d"),
                    ),
                ),
            ),
            (
                "> dc = \"http://purl.org/dc\" >\"x\" dc.title=x",
                clause("dc.title", Equals, "x"),
            ),
            ("((a=b))", clause("a", Equals, "b")),
            ("( > p=\"u\" a=b)", clause("a", Equals, "b")),
        ];
        for (q, expected) in cases {
            assert_eq!(root(q), expected, "query {q}");
        }
    }

    #[test]
    fn parses_modifiers_and_sort() {
        let q = parse("a =/respectCase/x=\"1 2\" b or/rel.combine=sum c=d sortBy t/sort.descending u v/number/sort.ascending").unwrap();
        match &q.root {
            Node::Boolean {
                op: Or,
                modifiers,
                left,
                ..
            } => {
                assert_eq!(modifiers[0].name, "rel.combine");
                assert_eq!(modifiers[0].value.as_deref(), Some("sum"));
                match left.as_ref() {
                    Node::Clause { modifiers, .. } => {
                        assert_eq!(modifiers[0], Modifier::flag("respectCase"));
                        assert_eq!(
                            modifiers[1],
                            Modifier {
                                name: "x".into(),
                                comparison: Some("=".into()),
                                value: Some("1 2".into())
                            }
                        );
                    }
                    other => panic!("{other:?}"),
                }
            }
            other => panic!("{other:?}"),
        }
        let idx: Vec<_> = q.sort.iter().map(|k| k.index.as_str()).collect();
        assert_eq!(idx, ["t", "u", "v"]);
        assert!(q.sort[0].descending());
        assert!(!q.sort[1].descending());
        assert_eq!(q.sort[2].modifiers.len(), 2);
        assert_eq!(parse("a=b SORTBY x").unwrap().sort[0].index, "x");
    }

    #[test]
    fn parses_the_queries_mod_circulation_sends() {
        let open = "(\"Open - Not yet filled\" or \"Open - Awaiting pickup\" or \"Open - In transit\" or \"Open - Awaiting delivery\")";
        let queries = [
            "name==(\"TLR\" or \"generalTlr\" or \"regularTlr\")".to_string(),
            "name==(\"other_settings\")".to_string(),
            "status.name==\"Open\" and itemId==\"b2d1e0b4-4fd5-4d0b-9f6e-0b1b0f6a2b2c\"".to_string(),
            format!("(itemId==\"x\") and status=={open} and requestLevel==(\"Item\") sortBy position/sort.ascending"),
            "(itemId==\"x\") and status==(\"Open - Not yet filled\" or \"Open - Awaiting pickup\") and requestLevel==(\"Item\") sortBy position/sort.ascending".to_string(),
            format!("(instanceId==\"x\") and status=={open} and requestLevel==(\"Item\" or \"Title\") sortBy position/sort.ascending"),
            "loan.id==\"x\" and loan.action==\"patronInfoAdded\" sortBy createdDate/sort.descending".to_string(),
            "loan.id==\"x\" and status==\"Open\" sortBy lossDate/sort.descending".to_string(),
            "loanId==\"x\" and triggeringEvent==\"Due date\" and noticeConfig.timing==(\"Upon At\" or \"After\")".to_string(),
            "nextRunTime<\"2024-01-01T00:00:00Z\" and noticeConfig.sendInRealTime==\"true\" and triggeringEvent==(\"Due date\") sortBy nextRunTime/sort.ascending".to_string(),
            "patronId==\"x\" and actionType==\"Check-out\"".to_string(),
            "cql.allRecords=1".to_string(),
        ];
        for q in &queries {
            parse(q).unwrap_or_else(|e| panic!("{q}: {e}"));
        }
        let q = parse(&queries[4]).unwrap();
        assert_eq!(q.sort[0].index, "position");
        assert_eq!(
            strip(&q.root),
            boolean(
                And,
                boolean(
                    And,
                    clause("itemId", DoubleEquals, "x"),
                    boolean(
                        Or,
                        clause("status", DoubleEquals, "Open - Not yet filled"),
                        clause("status", DoubleEquals, "Open - Awaiting pickup")
                    )
                ),
                clause("requestLevel", DoubleEquals, "Item")
            )
        );
    }

    #[test]
    fn reports_errors_with_positions() {
        let cases: &[(&str, &str, usize)] = &[
            ("", "empty query", 0),
            ("   ", "empty query", 0),
            (
                "status.name \"Open\"",
                "expected a relation after index 'status.name'",
                12,
            ),
            ("a=b and", "expected a search clause after boolean 'and'", 7),
            ("a=b or )", "expected a search clause after boolean 'or'", 7),
            ("and a=b", "keyword 'and'", 0),
            ("(a=b", "unbalanced parentheses: expected ')'", 4),
            ("a=b)", "unbalanced parentheses: ')' without", 3),
            ("a=", "expected a search term after 'a ='", 2),
            ("a= or b", "expected a search term after 'a ='", 3),
            ("a foo b", "unknown relation 'foo' after index 'a'", 2),
            ("a=b c", "unexpected 'c' after the end", 4),
            ("a=b \"c\"", "unexpected \"c\" after the end", 4),
            (
                "a=\"b",
                "unterminated quoted string starting at position 2",
                4,
            ),
            ("a=b sortby", "expected a sort index", 10),
            ("a=b sortby x (", "expected a sort index", 13),
            ("a=/ (b)", "expected a modifier name", 4),
            ("a=/x= b", "expected a search term after 'a ='", 7),
            ("a= and b=c", "found the keyword 'and'", 3),
            ("()", "expected a search term or '('", 1),
            ("> =x", "expected a prefix name", 2),
            ("a==b==c", "unexpected '==' after the end", 4),
        ];
        for (q, msg, pos) in cases {
            let e = parse(q).expect_err(q);
            assert!(
                e.message.contains(msg),
                "query {q:?}: got {e}, expected {msg}"
            );
            assert_eq!(e.position, *pos, "query {q:?}: {e}");
            assert!(e.to_string().ends_with(&format!("at position {pos}")));
        }
    }

    #[test]
    fn limits_depth() {
        let deep = format!("{}a=b{}", "(".repeat(200), ")".repeat(200));
        assert!(parse(&deep).unwrap_err().message.contains("nested deeper"));
        let ok = format!("{}a=b{}", "(".repeat(MAX_NESTING), ")".repeat(MAX_NESTING));
        parse(&ok).unwrap();
        let long_or = vec!["a=b"; MAX_TREE_DEPTH + 10].join(" or ");
        assert!(parse(&long_or).unwrap_err().message.contains("too complex"));
        let fine = vec!["id==x"; 200].join(" or ");
        parse(&fine).unwrap();
        parse(&"(".repeat(10_000)).unwrap_err();
        parse(&")".repeat(10_000)).unwrap_err();
    }

    /// Deterministic pseudo-random hostile inputs: the parser must return, never panic.
    #[test]
    fn never_panics() {
        let pieces = [
            "(",
            ")",
            "\"",
            "\\",
            "=",
            "==",
            "<>",
            "<",
            ">",
            "/",
            " ",
            "a",
            "and",
            "or",
            "not",
            "prox",
            "sortBy",
            "'; drop table loan; --",
            "é",
            "😀",
            "\u{0}",
            "*",
            "?",
            "id",
            "x.y",
            "adj",
            ">",
            "=/",
            "\t",
            "\n",
            "cql.allRecords",
            "1",
            "-",
        ];
        let table = crate::cql::sql::TableConfig::new("t", &[("x.y", "xy")]);
        #[cfg(feature = "cql-eval")]
        let record = serde_json::json!({"a": "é *", "id": "x", "x": {"y": [1, "2", null]}});
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..20_000 {
            let mut q = String::new();
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let n = (seed % 12) as usize;
            for _ in 0..n {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                q.push_str(pieces[(seed % pieces.len() as u64) as usize]);
            }
            // Whatever parses must also translate or evaluate without panicking.
            if let Ok(query) = parse(&q) {
                let _ = crate::cql::sql::to_sql(&query, &table, 1);
                #[cfg(feature = "cql-eval")]
                {
                    let _ = crate::cql::eval::matches(&query, &record);
                    let mut records = vec![record.clone(), serde_json::json!({})];
                    crate::cql::eval::sort(&query, &mut records);
                }
            }
        }
        for q in [
            "\"\\",
            "a=\"\\\"",
            "a=\\",
            "'; drop table loan; --",
            "a==\"'; drop table loan; --\"",
            "\u{feff}a=b",
            "ünïcödé==ß",
        ] {
            let _ = parse(q);
        }
    }
}
