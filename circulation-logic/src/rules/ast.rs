//! The parsed form of a circulation rules text.

/// The kind of record a criterium selects on, with FOLIO's one-letter names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum CriteriumType {
    /// `t`: the item's loan type (temporary, else permanent).
    LoanType,
    /// `a`: the institution of the item's effective location.
    Institution,
    /// `b`: the campus of the item's effective location.
    Campus,
    /// `c`: the library of the item's effective location.
    Library,
    /// `s`: the item's effective (shelving) location.
    Location,
    /// `m`: the item's material type.
    MaterialType,
    /// `g`: the patron's group.
    PatronGroup,
}

impl CriteriumType {
    pub(crate) fn from_letter(letter: char) -> Option<Self> {
        Some(match letter {
            't' => Self::LoanType,
            'a' => Self::Institution,
            'b' => Self::Campus,
            'c' => Self::Library,
            's' => Self::Location,
            'm' => Self::MaterialType,
            'g' => Self::PatronGroup,
            _ => return None,
        })
    }

    pub(crate) fn letter(self) -> char {
        match self {
            Self::LoanType => 't',
            Self::Institution => 'a',
            Self::Campus => 'b',
            Self::Library => 'c',
            Self::Location => 's',
            Self::MaterialType => 'm',
            Self::PatronGroup => 'g',
        }
    }

    /// For `number-of-criteria` the location hierarchy (a, b, c, s) counts as one criterium.
    pub(crate) fn specificity_group(self) -> char {
        match self {
            Self::Institution | Self::Campus | Self::Library | Self::Location => 'a',
            other => other.letter(),
        }
    }
}

/// The five policy types a rule line assigns, with FOLIO's one-letter names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum PolicyType {
    /// `l`
    Loan,
    /// `r`
    Request,
    /// `n`
    Notice,
    /// `o`
    OverdueFine,
    /// `i`
    LostItem,
}

impl PolicyType {
    /// In FOLIO's checking order (the first problem in this order is the one reported).
    pub(crate) const ALL: [PolicyType; 5] = [
        Self::Loan,
        Self::Request,
        Self::Notice,
        Self::OverdueFine,
        Self::LostItem,
    ];

    pub(crate) fn from_letter(letter: char) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.letter() == letter)
    }

    pub(crate) fn letter(self) -> char {
        match self {
            Self::Loan => 'l',
            Self::Request => 'r',
            Self::Notice => 'n',
            Self::OverdueFine => 'o',
            Self::LostItem => 'i',
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Which values of one criterium type a criterium accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Selection {
    /// `all`: any value; still counts for both criterium priority and number-of-criteria.
    All,
    /// `id1 id2`: any of these.
    AnyOf(Vec<String>),
    /// `!id1 !id2`: none of these.
    NoneOf(Vec<String>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Criterium {
    pub kind: CriteriumType,
    pub selection: Selection,
}

/// One policy id per policy type (the grammar demands exactly one of each).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct PolicySet {
    ids: [String; 5],
}

impl PolicySet {
    pub(crate) fn set(&mut self, kind: PolicyType, id: String) {
        self.ids[kind.index()] = id;
    }

    pub(crate) fn get(&self, kind: PolicyType) -> &str {
        &self.ids[kind.index()]
    }
}

/// A line that assigns policies, with the criteria of its ancestor lines folded in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rule {
    /// 1-based line number in the rules text.
    pub line: usize,
    /// Ancestors' criteria first, then the line's own; all must match.
    pub criteria: Vec<Criterium>,
    pub policies: PolicySet,
}

/// A priority regulation that comes before the line regulation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Regulation {
    /// `criterium (t, s, c, b, a, m, g)`: the seven types, highest priority first.
    Criterium(Vec<CriteriumType>),
    /// `number-of-criteria`: more distinct criterium types win.
    NumberOfCriteria,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LineOrder {
    FirstLine,
    LastLine,
}

/// The `priority:` line: up to two regulations, applied in order, then the line tie break.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Priority {
    pub regulations: Vec<Regulation>,
    pub line_order: LineOrder,
}

/// A parsed, valid rules text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rules {
    pub(crate) priority: Priority,
    pub(crate) fallback: PolicySet,
    pub(crate) fallback_line: usize,
    pub(crate) rules: Vec<Rule>,
}

impl Rules {
    #[cfg(test)]
    pub(crate) fn priority(&self) -> &Priority {
        &self.priority
    }

    #[cfg(test)]
    pub(crate) fn fallback(&self) -> &PolicySet {
        &self.fallback
    }

    /// Line of `fallback-policy:` (FOLIO reports it as `circulationRuleLine` in the `-all`
    /// endpoints; [`PolicyMatch::line`](super::PolicyMatch) uses 0 instead).
    pub(crate) fn fallback_line(&self) -> usize {
        self.fallback_line
    }

    /// The lines that assign policies, in text order.
    #[cfg(test)]
    pub(crate) fn rules(&self) -> &[Rule] {
        &self.rules
    }
}
