//! Policy selection: which rule line gives a policy for an item and a patron.
//!
//! As in FOLIO: a line matches when all its criteria and those of its ancestor lines match.
//! Among matching lines the priority line decides, regulation by regulation:
//! * `criterium (...)`: the line's best criterium type (ancestors included), ranked by its
//!   place in the list (first = highest); higher wins.
//! * `number-of-criteria`: distinct criterium types (ancestors included), with a/b/c/s
//!   together counting as one; more wins.
//! * `last-line` / `first-line`: the later / earlier line wins.
//!
//! No matching line → the fallback policies. Every line names all five policy types (the
//! parser insists, as FOLIO does), so one winner serves every type.
//!
//! Values: an empty input id is an unknown value; it satisfies `all` and negations but no
//! list of ids (FOLIO's null ids behave the same way).

use super::ast::{
    Criterium, CriteriumType, LineOrder, PolicyType, Regulation, Rule, Rules, Selection,
};

/// What the rules are applied to (ids of the item's and the patron's records).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct MatchInput {
    /// Material type (`m`).
    pub item_type_id: String,
    /// Loan type, temporary else permanent (`t`).
    pub loan_type_id: String,
    /// Patron group (`g`).
    pub patron_group_id: String,
    /// Effective location (`s`).
    pub location_id: String,
    /// Library of the location (`c`).
    pub library_id: String,
    /// Campus of the location (`b`).
    pub campus_id: String,
    /// Institution of the location (`a`).
    pub institution_id: String,
}

impl MatchInput {
    fn value(&self, kind: CriteriumType) -> &str {
        match kind {
            CriteriumType::MaterialType => &self.item_type_id,
            CriteriumType::LoanType => &self.loan_type_id,
            CriteriumType::PatronGroup => &self.patron_group_id,
            CriteriumType::Location => &self.location_id,
            CriteriumType::Library => &self.library_id,
            CriteriumType::Campus => &self.campus_id,
            CriteriumType::Institution => &self.institution_id,
        }
    }
}

/// Which of material type / loan type / patron group the matched line (with its ancestors)
/// names; drives the item limit. Serialises as FOLIO's `appliedRuleConditions`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AppliedRuleConditions {
    pub material_type_match: bool,
    pub loan_type_match: bool,
    pub patron_group_match: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PolicyMatch {
    pub policy_id: String,
    /// Filled for loan policies only; all false for other types and for the fallback, as
    /// FOLIO reports them.
    pub applied_rule_conditions: AppliedRuleConditions,
    /// Line of the matched rule; 0 for the fallback.
    pub line: usize,
}

impl Rules {
    /// The policy of type `kind` for `input`.
    pub(crate) fn find(&self, kind: PolicyType, input: &MatchInput) -> PolicyMatch {
        match self.ranked(input).first() {
            Some(rule) => matched(kind, rule),
            None => self.fallback_match(kind),
        }
    }

    /// Every matching line's policy, winner first, then the fallback (FOLIO's
    /// `/circulation/rules/*-policy-all` order).
    pub(crate) fn find_all(&self, kind: PolicyType, input: &MatchInput) -> Vec<PolicyMatch> {
        let mut all: Vec<PolicyMatch> = self
            .ranked(input)
            .into_iter()
            .map(|rule| matched(kind, rule))
            .collect();
        all.push(self.fallback_match(kind));
        all
    }

    fn fallback_match(&self, kind: PolicyType) -> PolicyMatch {
        PolicyMatch {
            policy_id: self.fallback.get(kind).to_string(),
            applied_rule_conditions: AppliedRuleConditions::default(),
            line: 0,
        }
    }

    /// Matching lines, best first.
    fn ranked(&self, input: &MatchInput) -> Vec<&Rule> {
        let mut matching: Vec<(Vec<i64>, &Rule)> = self
            .rules
            .iter()
            .filter(|rule| rule.criteria.iter().all(|c| criterium_matches(c, input)))
            .map(|rule| (self.rank(rule), rule))
            .collect();
        matching.sort_by(|a, b| b.0.cmp(&a.0));
        matching.into_iter().map(|(_, rule)| rule).collect()
    }

    /// Sort key: one value per regulation, then the line; compared left to right.
    fn rank(&self, rule: &Rule) -> Vec<i64> {
        let mut key: Vec<i64> = self
            .priority
            .regulations
            .iter()
            .map(|regulation| match regulation {
                Regulation::Criterium(order) => criterium_rank(order, &rule.criteria),
                Regulation::NumberOfCriteria => number_of_criteria(&rule.criteria),
            })
            .collect();
        let line = rule.line as i64;
        key.push(match self.priority.line_order {
            LineOrder::LastLine => line,
            LineOrder::FirstLine => -line,
        });
        key
    }
}

fn matched(kind: PolicyType, rule: &Rule) -> PolicyMatch {
    let names = |wanted: CriteriumType| rule.criteria.iter().any(|c| c.kind == wanted);
    let applied_rule_conditions = if kind == PolicyType::Loan {
        AppliedRuleConditions {
            material_type_match: names(CriteriumType::MaterialType),
            loan_type_match: names(CriteriumType::LoanType),
            patron_group_match: names(CriteriumType::PatronGroup),
        }
    } else {
        AppliedRuleConditions::default()
    };
    PolicyMatch {
        policy_id: rule.policies.get(kind).to_string(),
        applied_rule_conditions,
        line: rule.line,
    }
}

fn criterium_matches(criterium: &Criterium, input: &MatchInput) -> bool {
    let value = input.value(criterium.kind);
    match &criterium.selection {
        Selection::All => true,
        Selection::AnyOf(ids) => ids.iter().any(|id| id == value),
        Selection::NoneOf(ids) => ids.iter().all(|id| id != value),
    }
}

/// The best-ranked criterium type among `criteria`; the first of `order` ranks highest.
fn criterium_rank(order: &[CriteriumType], criteria: &[Criterium]) -> i64 {
    criteria
        .iter()
        .filter_map(|c| order.iter().position(|kind| *kind == c.kind))
        .map(|index| (order.len() - index) as i64)
        .max()
        .unwrap_or(0)
}

fn number_of_criteria(criteria: &[Criterium]) -> i64 {
    let mut groups: Vec<char> = criteria
        .iter()
        .map(|c| c.kind.specificity_group())
        .collect();
    groups.sort_unstable();
    groups.dedup();
    groups.len() as i64
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;

    const FALLBACK: &str =
        "fallback-policy: l no-loan r no-hold n basic-notice o overdue i lost-item";

    /// A rule line giving loan policy `loan` and request policy `request-<loan>`.
    fn line(criteria: &str, loan: &str) -> String {
        format!("{criteria}: l {loan} r request-{loan} n notice o overdue i lost-{loan}")
    }

    fn rules(priority: &str, lines: &[String]) -> Rules {
        let text = format!("priority: {priority}\n{FALLBACK}\n{}", lines.join("\n"));
        parse(&text).unwrap_or_else(|e| panic!("{text}\n{e:?}"))
    }

    /// Input from material type, loan type, patron group, location, institution, library, campus.
    fn input(m: &str, t: &str, g: &str, s: &str, a: &str, c: &str, b: &str) -> MatchInput {
        MatchInput {
            item_type_id: m.into(),
            loan_type_id: t.into(),
            patron_group_id: g.into(),
            location_id: s.into(),
            institution_id: a.into(),
            library_id: c.into(),
            campus_id: b.into(),
        }
    }

    fn simple(m: &str, t: &str, g: &str, s: &str) -> MatchInput {
        input(m, t, g, s, "inst-2", "lib-2", "campus-2")
    }

    fn loan(rules: &Rules, input: &MatchInput) -> String {
        rules.find(PolicyType::Loan, input).policy_id
    }

    fn all_loans(rules: &Rules, input: &MatchInput) -> Vec<String> {
        rules
            .find_all(PolicyType::Loan, input)
            .into_iter()
            .map(|m| m.policy_id)
            .collect()
    }

    /// The same rules and cases as FOLIO's own rules engine test.
    #[test]
    fn folio_example_all_matches_in_order() {
        let rules = rules(
            "t, s, c, b, a, m, g",
            &[
                line("m book cd dvd", "policy-a"),
                line("m newspaper + g all", "policy-c"),
                line("m streaming-subscription", "policy-c"),
                line("    g visitor", "in-house"),
                line("    g undergrad", "in-house"),
                line("m book cd dvd + t special-items", "in-house"),
                line("t special-items", "policy-d"),
                line("    g visitor alumni", "in-house"),
                line("a inst-1", "in-university"),
            ],
        );
        let cases: &[(&str, &str, &str, &str, &[&str])] = &[
            ("foo", "foo", "foo", "inst-2", &["no-loan"]),
            (
                "book",
                "regular",
                "undergrad",
                "inst-1",
                &["in-university", "policy-a", "no-loan"],
            ),
            (
                "book",
                "special-items",
                "undergrad",
                "inst-1",
                &[
                    "in-house",
                    "policy-d",
                    "in-university",
                    "policy-a",
                    "no-loan",
                ],
            ),
            (
                "book",
                "special-items",
                "visitor",
                "inst-2",
                &["in-house", "in-house", "policy-d", "policy-a", "no-loan"],
            ),
            (
                "newspaper",
                "regular",
                "undergrad",
                "inst-1",
                &["in-university", "policy-c", "no-loan"],
            ),
            (
                "newspaper",
                "special-items",
                "undergrad",
                "inst-1",
                &["policy-d", "in-university", "policy-c", "no-loan"],
            ),
            (
                "newspaper",
                "special-items",
                "visitor",
                "inst-1",
                &[
                    "in-house",
                    "policy-d",
                    "in-university",
                    "policy-c",
                    "no-loan",
                ],
            ),
            (
                "dvd",
                "special-items",
                "undergrad",
                "inst-1",
                &[
                    "in-house",
                    "policy-d",
                    "in-university",
                    "policy-a",
                    "no-loan",
                ],
            ),
            (
                "map",
                "special-items",
                "alumni",
                "inst-1",
                &["in-house", "policy-d", "in-university", "no-loan"],
            ),
            ("foo", "foo", "foo", "inst-1", &["in-university", "no-loan"]),
        ];
        for (m, t, g, a, want) in cases {
            let input = input(m, t, g, "shelf", a, "lib-2", "campus-2");
            assert_eq!(all_loans(&rules, &input), *want, "{m} {t} {g} {a}");
            assert_eq!(loan(&rules, &input), want[0], "{m} {t} {g} {a}");
        }
        // Request policies come from the same winning line.
        let input = input(
            "book",
            "special-items",
            "visitor",
            "shelf",
            "inst-2",
            "lib-2",
            "campus-2",
        );
        let request = rules.find(PolicyType::Request, &input);
        assert_eq!(
            (request.policy_id.as_str(), request.line),
            ("request-in-house", 10)
        );
        assert_eq!(
            rules.find(PolicyType::LostItem, &input).policy_id,
            "lost-in-house"
        );
    }

    #[test]
    fn criterium_priority_then_specificity_then_line() {
        // doc/circulationrules.md, "Example b" and the specificity and line examples.
        let example_b = rules(
            "criterium(t, s, c, b, a, m, g), number-of-criteria, last-line",
            &[
                line("g visitor", "policy-a"),
                line("    t rare", "policy-b"),
                line("t rare", "policy-c"),
                line("    m book", "policy-d"),
                line("m book", "policy-e"),
            ],
        );
        let specificity = rules(
            "criterium(t, s, c, b, a, m, g), number-of-criteria, last-line",
            &[
                line("g visitor + t rare", "policy-b"),
                line("t rare", "policy-c"),
                line("t rare + m book", "policy-d"),
                line("g all + t all + s course-reserve", "policy-e"),
            ],
        );
        let t_over_g = rules(
            "criterium(t, s, c, b, a, m, g), number-of-criteria, last-line",
            &[
                line("g visitor", "policy-a"),
                line("t rare", "policy-c"),
                line("m book", "policy-e"),
            ],
        );
        let cases: Vec<(&Rules, MatchInput, &str)> = vec![
            (
                &t_over_g,
                simple("book", "rare", "visitor", "x"),
                "policy-c",
            ),
            (
                &t_over_g,
                simple("book", "other", "visitor", "x"),
                "policy-e",
            ),
            (
                &t_over_g,
                simple("dvd", "other", "visitor", "x"),
                "policy-a",
            ),
            // b, c, d tie on t and on two criteria; d is the last line.
            (
                &example_b,
                simple("book", "rare", "visitor", "x"),
                "policy-d",
            ),
            (
                &example_b,
                simple("dvd", "rare", "visitor", "x"),
                "policy-b",
            ),
            (
                &example_b,
                simple("book", "regular", "visitor", "x"),
                "policy-e",
            ),
            (
                &specificity,
                simple("book", "rare", "visitor", "x"),
                "policy-d",
            ),
            (
                &specificity,
                simple("dvd", "rare", "staff", "x"),
                "policy-c",
            ),
            // `all` still counts: t plus three criteria beats everything.
            (
                &specificity,
                simple("book", "rare", "visitor", "course-reserve"),
                "policy-e",
            ),
        ];
        for (rules, input, want) in cases {
            assert_eq!(loan(rules, &input), want, "{input:?}");
        }
    }

    #[test]
    fn regulation_order_and_line_order() {
        let lines = [
            line("m book", "policy-a"),
            line("g student", "policy-b"),
            line("m dvd", "policy-c"),
            line("     g visitor", "policy-d"),
        ];
        let two = rules("number-of-criteria, first-line", &lines);
        let three = rules(
            "criterium(t, s, c, b, a, m, g), number-of-criteria, first-line",
            &lines,
        );
        let last = rules("last-line", &lines);
        let cases: Vec<(&Rules, MatchInput, &str)> = vec![
            (
                &two,
                simple("book", "regular", "student", "shelf"),
                "policy-a",
            ),
            (
                &two,
                simple("dvd", "regular", "student", "shelf"),
                "policy-b",
            ),
            (
                &two,
                simple("dvd", "regular", "visitor", "shelf"),
                "policy-d",
            ),
            (
                &three,
                simple("book", "regular", "student", "shelf"),
                "policy-a",
            ),
            (
                &three,
                simple("dvd", "regular", "student", "shelf"),
                "policy-c",
            ),
            (
                &three,
                simple("dvd", "regular", "visitor", "shelf"),
                "policy-d",
            ),
            (
                &last,
                simple("book", "regular", "student", "shelf"),
                "policy-b",
            ),
            (
                &last,
                simple("dvd", "regular", "student", "shelf"),
                "policy-c",
            ),
        ];
        for (rules, input, want) in cases {
            assert_eq!(
                loan(rules, &input),
                want,
                "{:?} {input:?}",
                rules.priority()
            );
        }
    }

    #[test]
    fn first_line_priority_with_trailing_fallback() {
        let text = [
            "priority: first-line".to_string(),
            "g visitor".to_string(),
            line("  t special-items", "in-house"),
            line("m book", "policy-b"),
            FALLBACK.to_string(),
            String::new(),
        ]
        .join("\n");
        let rules = parse(&text).unwrap();
        let cases: &[(&str, &str, &str, &[&str])] = &[
            (
                "book",
                "special-items",
                "visitor",
                &["in-house", "policy-b", "no-loan"],
            ),
            (
                "book",
                "special-items",
                "undergrad",
                &["policy-b", "no-loan"],
            ),
            ("dvd", "special-items", "undergrad", &["no-loan"]),
        ];
        for (m, t, g, want) in cases {
            assert_eq!(
                all_loans(&rules, &simple(m, t, g, "x")),
                *want,
                "{m} {t} {g}"
            );
        }
    }

    #[test]
    fn location_hierarchy_criteria() {
        let rules = rules(
            "t, s, c, b, a, m, g",
            &[
                line("s new", "policy-new"),
                line("t special-items", "policy-special"),
                line("m book", "policy-book"),
                line("s stacks", "policy-stacks"),
                line("a inst-1", "policy-a"),
                line("c lib-1", "policy-c"),
                line("b campus-1", "policy-d"),
            ],
        );
        let cases = [
            (
                input(
                    "book", "regular", "student", "new", "inst-2", "lib-2", "campus-2",
                ),
                "policy-new",
            ),
            (
                input(
                    "book", "regular", "student", "open", "inst-2", "lib-2", "campus-2",
                ),
                "policy-book",
            ),
            (
                input(
                    "book", "regular", "student", "stacks", "inst-2", "lib-2", "campus-2",
                ),
                "policy-stacks",
            ),
            (
                input(
                    "book",
                    "special-items",
                    "student",
                    "new",
                    "inst-2",
                    "lib-2",
                    "campus-2",
                ),
                "policy-special",
            ),
            (
                input(
                    "book", "regular", "student", "open", "inst-1", "lib-2", "campus-2",
                ),
                "policy-a",
            ),
            (
                input(
                    "book", "regular", "student", "open", "inst-1", "lib-1", "campus-1",
                ),
                "policy-c",
            ),
            (
                input(
                    "book", "regular", "student", "open", "inst-2", "lib-2", "campus-1",
                ),
                "policy-d",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(loan(&rules, &input), want, "{input:?}");
        }
    }

    #[test]
    fn negation_all_and_unknown_values() {
        let rules = rules(
            "last-line",
            &[
                line("m !dvd !music", "not-media"),
                line("g all + t !rare", "any-group"),
                line("s shelf-1", "shelf"),
            ],
        );
        let cases = [
            (simple("dvd", "rare", "staff", "x"), "no-loan"),
            (simple("music", "rare", "staff", "x"), "no-loan"),
            (simple("newspaper", "rare", "staff", "x"), "not-media"),
            (simple("dvd", "regular", "staff", "x"), "any-group"),
            // Unknown (empty) values satisfy `all` and negations, never a list of ids.
            (simple("", "", "", ""), "any-group"),
            (simple("dvd", "rare", "staff", "shelf-1"), "shelf"),
        ];
        for (input, want) in cases {
            assert_eq!(loan(&rules, &input), want, "{input:?}");
        }
    }

    #[test]
    fn applied_rule_conditions_and_lines() {
        let rules = rules(
            "t, s, c, b, a, m, g",
            &[
                line("g staff", "staff"),
                line("    m book + s x", "book"),
                line("t rare", "rare"),
            ],
        );
        let cond = |m, t, g| AppliedRuleConditions {
            material_type_match: m,
            loan_type_match: t,
            patron_group_match: g,
        };
        let cases = [
            (
                simple("dvd", "normal", "visitor", "y"),
                0,
                cond(false, false, false),
            ),
            (
                simple("dvd", "normal", "staff", "y"),
                3,
                cond(false, false, true),
            ),
            (
                simple("book", "normal", "staff", "x"),
                4,
                cond(true, false, true),
            ),
            (
                simple("book", "rare", "visitor", "x"),
                5,
                cond(false, true, false),
            ),
        ];
        for (input, line, conditions) in cases {
            let found = rules.find(PolicyType::Loan, &input);
            assert_eq!(
                (found.line, found.applied_rule_conditions),
                (line, conditions),
                "{input:?}"
            );
            // FOLIO fills the conditions for loan policies only.
            let request = rules.find(PolicyType::Request, &input);
            assert_eq!(
                (request.line, request.applied_rule_conditions),
                (line, cond(false, false, false))
            );
        }
        let json = serde_json::to_value(cond(true, false, true)).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"materialTypeMatch": true, "loanTypeMatch": false, "patronGroupMatch": true})
        );
    }

    #[test]
    fn fallback_for_every_policy_type() {
        let rules = rules("last-line", &[]);
        let input = simple("book", "rare", "staff", "x");
        let want = [
            (PolicyType::Loan, "no-loan"),
            (PolicyType::Request, "no-hold"),
            (PolicyType::Notice, "basic-notice"),
            (PolicyType::OverdueFine, "overdue"),
            (PolicyType::LostItem, "lost-item"),
        ];
        for (kind, id) in want {
            let found = rules.find(kind, &input);
            assert_eq!((found.policy_id.as_str(), found.line), (id, 0), "{kind:?}");
        }
        assert_eq!(rules.fallback_line(), 2);
    }
}
