//! Branching call scripts: what the operator says and asks, the customer's
//! answers that choose the next step, fields the operator types in, links to
//! knowledge articles, and actions such as "register complaint" or "create
//! order" (003:123–195, 000:142–153).
//!
//! A [`Script`] is a graph of [`Node`]s. [`Script::validate`] checks it before
//! it is saved or published: unique node ids, every link points somewhere,
//! every node is reachable from the start and can reach an end (no loop
//! without an exit), options are non-empty with unique labels.
//!
//! A [`ScriptRun`] is one operator running one script inside a contact. It is
//! pure: it never performs actions itself — [`ScriptRun::step`] hands the
//! action back in its [`StepOutcome`] and the caller performs it — and it never
//! reads a clock: callers that want times use [`ScriptRun::step_at`]. The path
//! taken ([`ScriptRun::path`]) is what is saved on the contact for QA; it is
//! serializable, and [`ScriptRun::replay`] rebuilds a run from a saved path.
//!
//! Invalid answers (a wrong option index, text typed into a question, a step
//! after the end, a step with another script) are errors, never panics, and
//! leave the run unchanged.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::fmt;

/// Languages a script may be written in.
pub const SCRIPT_LANGS: [&str; 3] = ["ru", "kk", "en"];

/// Longest text an operator may type into an [`NodeKind::Input`] node, in characters.
pub const MAX_INPUT_CHARS: usize = 2000;

/// Tag on a question that offers the customer an extra item. The order desk
/// requires at least [`MIN_EXTRA_OFFERS`] of them answered before an order is
/// created; count them with [`answered_with_tag`].
pub const TAG_EXTRA_OFFER: &str = "extra_offer";

/// How many extra items an operator must offer when taking an order.
pub const MIN_EXTRA_OFFERS: usize = 3;

/// A branching call script, one version of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Script {
    /// Stable key, e.g. `order_intake_ru`.
    pub id: String,
    pub version: u32,
    pub name: String,
    /// `ru`, `kk` or `en`.
    pub lang: String,
    /// The contact type key the script is for, e.g. `sale` or `complaint`.
    pub contact_type: String,
    /// Id of the first node.
    pub start: String,
    pub nodes: Vec<Node>,
}

/// One step of a script.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Node {
    pub id: String,
    /// What the operator says or asks.
    pub text: String,
    #[serde(flatten)]
    pub kind: NodeKind,
    /// Knowledge articles the operator may need at this step.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub article_ids: Vec<i64>,
    /// Free markers for reports and checks, e.g. [`TAG_EXTRA_OFFER`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

/// What a node expects from the operator and where it leads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NodeKind {
    /// A question; the customer's answer picks an option.
    Question { options: Vec<Choice> },
    /// Something to say; `next: None` ends the script.
    Say { next: Option<String> },
    /// The operator types the customer's answer (an address, an order number).
    Input { field: String, prompt: String, next: String },
    /// An action the caller performs when the operator continues; `next: None` ends the script.
    Action { action: Action, next: Option<String> },
    /// The end of the script with its outcome code, e.g. `order_created`.
    End { outcome: String },
}

/// One answer option of a question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub label: String,
    pub next: String,
}

/// Something a script asks the caller to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Action {
    RegisterComplaint,
    CreateOrder,
    Transfer { queue: String },
    OpenArticle { article_id: i64 },
    ScheduleCallback,
}

impl Action {
    /// Whether performing the action changes something outside the script
    /// (an order, a complaint, a transfer, a callback). Such steps cannot be
    /// undone with [`ScriptRun::back`]; opening an article can.
    pub fn has_side_effects(&self) -> bool {
        !matches!(self, Action::OpenArticle { .. })
    }
}

/// The kind of answer a node takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerKind {
    Choose,
    Enter,
    Continue,
}

impl fmt::Display for AnswerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AnswerKind::Choose => "choose an option",
            AnswerKind::Enter => "enter text",
            AnswerKind::Continue => "continue",
        })
    }
}

impl Node {
    /// A question with `(label, next)` options.
    pub fn question(id: &str, text: &str, options: &[(&str, &str)]) -> Node {
        let options = options.iter().map(|(label, next)| Choice { label: label.to_string(), next: next.to_string() });
        Node::new(id, text, NodeKind::Question { options: options.collect() })
    }

    /// Something to say, then `next` (None ends the script).
    pub fn say(id: &str, text: &str, next: Option<&str>) -> Node {
        Node::new(id, text, NodeKind::Say { next: next.map(str::to_string) })
    }

    /// A field the operator fills in.
    pub fn input(id: &str, text: &str, field: &str, prompt: &str, next: &str) -> Node {
        let kind = NodeKind::Input { field: field.to_string(), prompt: prompt.to_string(), next: next.to_string() };
        Node::new(id, text, kind)
    }

    /// An action, then `next` (None ends the script).
    pub fn action(id: &str, text: &str, action: Action, next: Option<&str>) -> Node {
        Node::new(id, text, NodeKind::Action { action, next: next.map(str::to_string) })
    }

    /// An end with its outcome code.
    pub fn end(id: &str, text: &str, outcome: &str) -> Node {
        Node::new(id, text, NodeKind::End { outcome: outcome.to_string() })
    }

    /// Links knowledge articles to the node.
    pub fn with_articles(mut self, article_ids: &[i64]) -> Node {
        self.article_ids.extend_from_slice(article_ids);
        self
    }

    /// Adds a tag to the node.
    pub fn with_tag(mut self, tag: &str) -> Node {
        self.tags.push(tag.to_string());
        self
    }

    fn new(id: &str, text: &str, kind: NodeKind) -> Node {
        Node { id: id.to_string(), text: text.to_string(), kind, article_ids: Vec::new(), tags: Vec::new() }
    }

    /// The answer this node takes; None for an end.
    pub fn expects(&self) -> Option<AnswerKind> {
        match self.kind {
            NodeKind::Question { .. } => Some(AnswerKind::Choose),
            NodeKind::Input { .. } => Some(AnswerKind::Enter),
            NodeKind::Say { .. } | NodeKind::Action { .. } => Some(AnswerKind::Continue),
            NodeKind::End { .. } => None,
        }
    }

    /// Ids of the nodes this node leads to, in option order.
    pub fn successors(&self) -> Vec<&str> {
        match &self.kind {
            NodeKind::Question { options } => options.iter().map(|c| c.next.as_str()).collect(),
            NodeKind::Say { next } | NodeKind::Action { next, .. } => next.iter().map(String::as_str).collect(),
            NodeKind::Input { next, .. } => vec![next.as_str()],
            NodeKind::End { .. } => Vec::new(),
        }
    }

    /// Whether the script can end at this node: an end, or a say or action
    /// with no next step.
    pub fn is_exit(&self) -> bool {
        matches!(&self.kind, NodeKind::End { .. } | NodeKind::Say { next: None } | NodeKind::Action { next: None, .. })
    }
}

/// What is wrong with a script; every variant names the node it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScriptError {
    EmptyId,
    EmptyName,
    UnsupportedLang {
        lang: String,
    },
    NoNodes,
    EmptyNodeId {
        index: usize,
    },
    DuplicateNode {
        node: String,
    },
    EmptyText {
        node: String,
    },
    MissingStart {
        start: String,
    },
    /// A `next` of `node` names no node.
    DanglingNext {
        node: String,
        next: String,
    },
    /// No path from the start leads to `node`.
    Unreachable {
        node: String,
    },
    /// No end can be reached from `node`: a dead end or a loop with no exit.
    NoExit {
        node: String,
    },
    NoOptions {
        node: String,
    },
    EmptyLabel {
        node: String,
        index: usize,
    },
    /// Two options of `node` have the same label (compared trimmed, ignoring case).
    DuplicateLabel {
        node: String,
        label: String,
    },
    /// An input field name must be lower-case ASCII letters, digits and `_`.
    BadField {
        node: String,
        field: String,
    },
    EmptyOutcome {
        node: String,
    },
    /// `node` links (or its action opens) a knowledge article that does not exist.
    UnknownArticle {
        node: String,
        article: i64,
    },
}

impl fmt::Display for ScriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScriptError::EmptyId => write!(f, "the script has no id"),
            ScriptError::EmptyName => write!(f, "the script has no name"),
            ScriptError::UnsupportedLang { lang } => write!(f, "language {lang:?} is not one of ru, kk, en"),
            ScriptError::NoNodes => write!(f, "the script has no nodes"),
            ScriptError::EmptyNodeId { index } => write!(f, "node #{index} has no id"),
            ScriptError::DuplicateNode { node } => write!(f, "node id {node:?} is used more than once"),
            ScriptError::EmptyText { node } => write!(f, "node {node:?} has no text"),
            ScriptError::MissingStart { start } => write!(f, "start node {start:?} does not exist"),
            ScriptError::DanglingNext { node, next } => {
                write!(f, "node {node:?} leads to {next:?}, which does not exist")
            }
            ScriptError::Unreachable { node } => write!(f, "node {node:?} cannot be reached from the start"),
            ScriptError::NoExit { node } => write!(f, "no end can be reached from node {node:?}"),
            ScriptError::NoOptions { node } => write!(f, "question {node:?} has no options"),
            ScriptError::EmptyLabel { node, index } => write!(f, "option #{index} of question {node:?} has no label"),
            ScriptError::DuplicateLabel { node, label } => {
                write!(f, "question {node:?} has option {label:?} more than once")
            }
            ScriptError::BadField { node, field } => {
                write!(f, "input {node:?} has field {field:?}; use lower-case letters, digits and _")
            }
            ScriptError::EmptyOutcome { node } => write!(f, "end {node:?} has no outcome"),
            ScriptError::UnknownArticle { node, article } => {
                write!(f, "node {node:?} links knowledge article {article}, which does not exist")
            }
        }
    }
}

impl std::error::Error for ScriptError {}

impl Script {
    /// The node with this id (the first one, should ids repeat).
    pub fn node(&self, id: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.id == id)
    }

    /// Links to knowledge articles (in `article_ids` and in "open article" actions) that
    /// `exists` does not know, in node order. The caller knows which articles exist.
    pub fn check_article_links(&self, exists: impl Fn(i64) -> bool) -> Vec<ScriptError> {
        let mut errors = Vec::new();
        for node in &self.nodes {
            let mut linked = node.article_ids.clone();
            if let NodeKind::Action { action: Action::OpenArticle { article_id }, .. } = &node.kind {
                linked.push(*article_id);
            }
            for article in linked.into_iter().filter(|a| !exists(*a)) {
                errors.push(ScriptError::UnknownArticle { node: node.id.clone(), article });
            }
        }
        errors
    }

    /// Checks the script; returns every problem found, in node order.
    pub fn validate(&self) -> Result<(), Vec<ScriptError>> {
        let mut errors = Vec::new();
        if self.id.trim().is_empty() {
            errors.push(ScriptError::EmptyId);
        }
        if self.name.trim().is_empty() {
            errors.push(ScriptError::EmptyName);
        }
        if !SCRIPT_LANGS.contains(&self.lang.as_str()) {
            errors.push(ScriptError::UnsupportedLang { lang: self.lang.clone() });
        }
        if self.nodes.is_empty() {
            errors.push(ScriptError::NoNodes);
            return Err(errors);
        }

        let mut index: HashMap<&str, usize> = HashMap::new();
        for (i, node) in self.nodes.iter().enumerate() {
            if node.id.trim().is_empty() {
                errors.push(ScriptError::EmptyNodeId { index: i });
            } else if index.insert(node.id.as_str(), i).is_some() {
                errors.push(ScriptError::DuplicateNode { node: node.id.clone() });
            }
        }
        // Duplicates resolve to the first occurrence, as `Script::node` does.
        let index: HashMap<&str, usize> =
            self.nodes.iter().enumerate().rev().map(|(i, n)| (n.id.as_str(), i)).collect();

        for node in &self.nodes {
            check_node(node, &mut errors);
            for next in node.successors() {
                if !index.contains_key(next) {
                    errors.push(ScriptError::DanglingNext { node: node.id.clone(), next: next.to_string() });
                }
            }
        }

        // Edges between existing nodes, by position.
        let edges: Vec<Vec<usize>> = self
            .nodes
            .iter()
            .map(|n| n.successors().into_iter().filter_map(|s| index.get(s).copied()).collect())
            .collect();

        match index.get(self.start.as_str()) {
            None => errors.push(ScriptError::MissingStart { start: self.start.clone() }),
            Some(&start) => {
                let reached = reach(&[start], &edges);
                for (i, node) in self.nodes.iter().enumerate() {
                    if !reached[i] && !node.id.trim().is_empty() {
                        errors.push(ScriptError::Unreachable { node: node.id.clone() });
                    }
                }
            }
        }

        let mut reverse: Vec<Vec<usize>> = vec![Vec::new(); self.nodes.len()];
        for (from, tos) in edges.iter().enumerate() {
            for &to in tos {
                reverse[to].push(from);
            }
        }
        let exits: Vec<usize> = (0..self.nodes.len()).filter(|&i| self.nodes[i].is_exit()).collect();
        let can_exit = reach(&exits, &reverse);
        for (i, node) in self.nodes.iter().enumerate() {
            if !can_exit[i] && !node.id.trim().is_empty() {
                errors.push(ScriptError::NoExit { node: node.id.clone() });
            }
        }

        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

fn check_node(node: &Node, errors: &mut Vec<ScriptError>) {
    let id = || node.id.clone();
    if node.text.trim().is_empty() {
        errors.push(ScriptError::EmptyText { node: id() });
    }
    match &node.kind {
        NodeKind::Question { options } => {
            if options.is_empty() {
                errors.push(ScriptError::NoOptions { node: id() });
            }
            let mut seen = HashSet::new();
            for (i, option) in options.iter().enumerate() {
                let label = option.label.trim();
                if label.is_empty() {
                    errors.push(ScriptError::EmptyLabel { node: id(), index: i });
                } else if !seen.insert(label.to_lowercase()) {
                    errors.push(ScriptError::DuplicateLabel { node: id(), label: label.to_string() });
                }
            }
        }
        NodeKind::Input { field, .. } => {
            let ok =
                !field.is_empty() && field.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if !ok {
                errors.push(ScriptError::BadField { node: id(), field: field.clone() });
            }
        }
        NodeKind::End { outcome } if outcome.trim().is_empty() => errors.push(ScriptError::EmptyOutcome { node: id() }),
        NodeKind::Say { .. } | NodeKind::Action { .. } | NodeKind::End { .. } => {}
    }
}

/// Which positions are reachable from `from` along `edges`.
fn reach(from: &[usize], edges: &[Vec<usize>]) -> Vec<bool> {
    let mut seen = vec![false; edges.len()];
    let mut queue: VecDeque<usize> = VecDeque::new();
    for &i in from {
        if !seen[i] {
            seen[i] = true;
            queue.push_back(i);
        }
    }
    while let Some(i) = queue.pop_front() {
        for &j in &edges[i] {
            if !seen[j] {
                seen[j] = true;
                queue.push_back(j);
            }
        }
    }
    seen
}

/// An operator's answer at the current node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Answer {
    /// Picks the option at this index (from 0) of a question.
    Choose(usize),
    /// Text typed into an input node.
    Enter(String),
    /// Goes on past a say or an action node (performing the action).
    Continue,
}

impl Answer {
    pub fn kind(&self) -> AnswerKind {
        match self {
            Answer::Choose(_) => AnswerKind::Choose,
            Answer::Enter(_) => AnswerKind::Enter,
            Answer::Continue => AnswerKind::Continue,
        }
    }
}

/// What was recorded at one step of the path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Recorded {
    /// The option chosen at a question: its index and its label at the time.
    Chose { index: usize, label: String },
    /// The text typed into an input, trimmed, and its field.
    Entered { field: String, text: String },
    /// The operator went on past a say node.
    Continued,
    /// The operator went on past an action node; the caller performed the action.
    Performed { action: Action },
    /// The run reached an end node with this outcome.
    Ended { outcome: String },
}

/// One step of the path taken, as saved on the contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathStep {
    pub node_id: String,
    pub answer: Recorded,
    /// When the step was taken, in milliseconds since the Unix epoch, if the caller said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_ms: Option<i64>,
}

impl PathStep {
    /// The chosen label or the typed text; None for continue and end steps.
    pub fn label_or_text(&self) -> Option<&str> {
        match &self.answer {
            Recorded::Chose { label, .. } => Some(label),
            Recorded::Entered { text, .. } => Some(text),
            Recorded::Continued | Recorded::Performed { .. } | Recorded::Ended { .. } => None,
        }
    }
}

/// The result of one step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepOutcome {
    /// The node the run is now at (for an ended run: its last node).
    pub node_id: String,
    /// An action the caller must perform now, if the step passed an action node.
    pub action: Option<Action>,
    pub ended: bool,
    /// The outcome code when the run ended at an end node.
    pub outcome: Option<String>,
}

/// Why a step or an undo was refused. The run is unchanged after an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunError {
    /// The run has ended; nothing more can be answered.
    AlreadyEnded,
    /// The step was given a different script (or version) than the run started with.
    WrongScript {
        expected_id: String,
        expected_version: u32,
        got_id: String,
        got_version: u32,
    },
    /// The script has no node with this id (it is invalid or was changed under the run).
    UnknownNode {
        node: String,
    },
    /// The answer does not fit the node, e.g. text typed into a question.
    WrongAnswer {
        node: String,
        expected: AnswerKind,
        got: AnswerKind,
    },
    /// The option index does not exist at this question.
    NoSuchOption {
        node: String,
        index: usize,
        options: usize,
    },
    EmptyInput {
        node: String,
    },
    InputTooLong {
        node: String,
        max_chars: usize,
    },
    /// There is no step to undo.
    NothingToUndo,
    /// The last step performed an action with side effects, which the script cannot undo.
    ActionPerformed {
        node: String,
        action: Action,
    },
    /// A saved path does not fit the script at this step.
    PathMismatch {
        step: usize,
    },
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunError::AlreadyEnded => write!(f, "the script has ended"),
            RunError::WrongScript { expected_id, expected_version, got_id, got_version } => {
                write!(f, "the run is of script {expected_id:?} v{expected_version}, not {got_id:?} v{got_version}")
            }
            RunError::UnknownNode { node } => write!(f, "the script has no node {node:?}"),
            RunError::WrongAnswer { node, expected, got } => {
                write!(f, "node {node:?} expects to {expected}, not to {got}")
            }
            RunError::NoSuchOption { node, index, options } => {
                write!(f, "question {node:?} has {options} options; there is no option #{index}")
            }
            RunError::EmptyInput { node } => write!(f, "input {node:?} needs text"),
            RunError::InputTooLong { node, max_chars } => {
                write!(f, "input {node:?} takes at most {max_chars} characters")
            }
            RunError::NothingToUndo => write!(f, "there is no step to undo"),
            RunError::ActionPerformed { node, .. } => {
                write!(f, "the action at node {node:?} has been performed and cannot be undone")
            }
            RunError::PathMismatch { step } => write!(f, "step #{step} of the saved path does not fit the script"),
        }
    }
}

impl std::error::Error for RunError {}

/// One run of a script inside a contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScriptRun {
    script_id: String,
    script_version: u32,
    current: String,
    path: Vec<PathStep>,
    ended: bool,
    outcome: Option<String>,
}

impl ScriptRun {
    /// Starts a run at the script's start node. Meant for a validated script;
    /// on a broken one, steps return errors rather than panic.
    pub fn start(script: &Script) -> ScriptRun {
        let mut run = ScriptRun {
            script_id: script.id.clone(),
            script_version: script.version,
            current: script.start.clone(),
            path: Vec::new(),
            ended: false,
            outcome: None,
        };
        run.arrive(script, None);
        run
    }

    /// Rebuilds a run from a saved path, checking that every step fits the script.
    pub fn replay(script: &Script, path: &[PathStep]) -> Result<ScriptRun, RunError> {
        let mut run = ScriptRun::start(script);
        let mut i = run.path.len();
        while i < path.len() {
            let step = &path[i];
            if step.node_id != run.current {
                return Err(RunError::PathMismatch { step: i });
            }
            let answer = match &step.answer {
                Recorded::Chose { index, .. } => Answer::Choose(*index),
                Recorded::Entered { text, .. } => Answer::Enter(text.clone()),
                Recorded::Continued | Recorded::Performed { .. } => Answer::Continue,
                Recorded::Ended { .. } => return Err(RunError::PathMismatch { step: i }),
            };
            run.step_at(script, answer, step.at_ms).map_err(|_| RunError::PathMismatch { step: i })?;
            i = run.path.len();
        }
        // Labels, actions and outcomes must match too, not just the shape.
        if let Some(step) = (0..path.len().max(run.path.len())).find(|&k| path.get(k) != run.path.get(k)) {
            return Err(RunError::PathMismatch { step });
        }
        Ok(run)
    }

    pub fn script_id(&self) -> &str {
        &self.script_id
    }

    pub fn script_version(&self) -> u32 {
        self.script_version
    }

    /// Id of the node the operator is at (for an ended run: the last node).
    pub fn current(&self) -> &str {
        &self.current
    }

    /// The node the operator is at, to show its text, options and articles.
    pub fn current_node<'s>(&self, script: &'s Script) -> Option<&'s Node> {
        script.node(&self.current)
    }

    pub fn is_ended(&self) -> bool {
        self.ended
    }

    /// The outcome code, once the run ended at an end node.
    pub fn outcome(&self) -> Option<&str> {
        self.outcome.as_deref()
    }

    /// The path taken so far, as saved on the contact.
    pub fn path(&self) -> &[PathStep] {
        &self.path
    }

    /// The values typed into input nodes by field; a field entered twice keeps the later value.
    pub fn entered_values(&self) -> BTreeMap<&str, &str> {
        self.path
            .iter()
            .filter_map(|s| match &s.answer {
                Recorded::Entered { field, text } => Some((field.as_str(), text.as_str())),
                _ => None,
            })
            .collect()
    }

    /// Answers the current node without a time stamp.
    pub fn step(&mut self, script: &Script, answer: Answer) -> Result<StepOutcome, RunError> {
        self.step_at(script, answer, None)
    }

    /// Answers the current node, stamping the step with `at_ms`.
    pub fn step_at(&mut self, script: &Script, answer: Answer, at_ms: Option<i64>) -> Result<StepOutcome, RunError> {
        if script.id != self.script_id || script.version != self.script_version {
            return Err(RunError::WrongScript {
                expected_id: self.script_id.clone(),
                expected_version: self.script_version,
                got_id: script.id.clone(),
                got_version: script.version,
            });
        }
        if self.ended {
            return Err(RunError::AlreadyEnded);
        }
        let node = script.node(&self.current).ok_or_else(|| RunError::UnknownNode { node: self.current.clone() })?;
        let wrong = |expected| RunError::WrongAnswer { node: node.id.clone(), expected, got: answer.kind() };
        let (recorded, next, action) = match (&node.kind, &answer) {
            (NodeKind::Question { options }, Answer::Choose(index)) => {
                let choice = options.get(*index).ok_or_else(|| RunError::NoSuchOption {
                    node: node.id.clone(),
                    index: *index,
                    options: options.len(),
                })?;
                (Recorded::Chose { index: *index, label: choice.label.clone() }, Some(&choice.next), None)
            }
            (NodeKind::Input { field, next, .. }, Answer::Enter(text)) => {
                let text = text.trim();
                if text.is_empty() {
                    return Err(RunError::EmptyInput { node: node.id.clone() });
                }
                if text.chars().count() > MAX_INPUT_CHARS {
                    return Err(RunError::InputTooLong { node: node.id.clone(), max_chars: MAX_INPUT_CHARS });
                }
                (Recorded::Entered { field: field.clone(), text: text.to_string() }, Some(next), None)
            }
            (NodeKind::Say { next }, Answer::Continue) => (Recorded::Continued, next.as_ref(), None),
            (NodeKind::Action { action, next }, Answer::Continue) => {
                (Recorded::Performed { action: action.clone() }, next.as_ref(), Some(action.clone()))
            }
            (NodeKind::End { .. }, _) => return Err(RunError::AlreadyEnded),
            (NodeKind::Question { .. }, _) => return Err(wrong(AnswerKind::Choose)),
            (NodeKind::Input { .. }, _) => return Err(wrong(AnswerKind::Enter)),
            (NodeKind::Say { .. } | NodeKind::Action { .. }, _) => return Err(wrong(AnswerKind::Continue)),
        };
        // Check the target before changing anything, so an error leaves the run as it was.
        if let Some(next) = next {
            if script.node(next).is_none() {
                return Err(RunError::UnknownNode { node: next.clone() });
            }
        }
        self.path.push(PathStep { node_id: node.id.clone(), answer: recorded, at_ms });
        match next {
            Some(next) => {
                self.current = next.clone();
                self.arrive(script, at_ms);
            }
            None => self.ended = true,
        }
        Ok(StepOutcome { node_id: self.current.clone(), action, ended: self.ended, outcome: self.outcome.clone() })
    }

    /// Records reaching an end node.
    fn arrive(&mut self, script: &Script, at_ms: Option<i64>) {
        if let Some(NodeKind::End { outcome }) = script.node(&self.current).map(|n| &n.kind) {
            self.path.push(PathStep {
                node_id: self.current.clone(),
                answer: Recorded::Ended { outcome: outcome.clone() },
                at_ms,
            });
            self.ended = true;
            self.outcome = Some(outcome.clone());
        }
    }

    /// Undoes the operator's last answer (and the end it led to, if any) and
    /// returns the undone step. Refused for an action with side effects: the
    /// order or complaint exists, so the path must keep saying so.
    pub fn back(&mut self) -> Result<PathStep, RunError> {
        let last = self.path.iter().rposition(|s| !matches!(s.answer, Recorded::Ended { .. }));
        let last = last.ok_or(RunError::NothingToUndo)?;
        let step = &self.path[last];
        if let Recorded::Performed { action } = &step.answer {
            if action.has_side_effects() {
                return Err(RunError::ActionPerformed { node: step.node_id.clone(), action: action.clone() });
            }
        }
        let undone = self.path.remove(last);
        self.path.truncate(last);
        self.current = undone.node_id.clone();
        self.ended = false;
        self.outcome = None;
        Ok(undone)
    }
}

/// How many distinct nodes carrying `tag` were answered on `path` — e.g. how
/// many extra items were offered ([`TAG_EXTRA_OFFER`]).
pub fn answered_with_tag(script: &Script, path: &[PathStep], tag: &str) -> usize {
    let tagged: HashSet<&str> =
        script.nodes.iter().filter(|n| n.tags.iter().any(|t| t == tag)).map(|n| n.id.as_str()).collect();
    path.iter().map(|s| s.node_id.as_str()).filter(|id| tagged.contains(id)).collect::<BTreeSet<_>>().len()
}

/// The demo scripts: order intake in Russian and complaint registration in Kazakh.
pub fn demo_scripts() -> Vec<Script> {
    vec![order_intake_ru(), complaint_kk()]
}

/// Knowledge article ids the demo scripts link to; the demo knowledge base
/// is expected to seed articles with these ids.
pub mod demo_articles {
    /// Promotion "5 l of sunflower oil for the price of 4".
    pub const OIL_PROMO: i64 = 101;
    /// New product: dish-washing liquid in 5 l cans.
    pub const DISH_LIQUID: i64 = 102;
    /// Disposable tableware and bags: range and prices.
    pub const DISPOSABLES: i64 = 103;
    /// Seasonal offer: tea and sugar.
    pub const SEASONAL_TEA_SUGAR: i64 = 104;
    /// "Wholesale week" discount and free delivery thresholds.
    pub const WHOLESALE_WEEK: i64 = 105;
    /// Own-brand alternatives and their prices.
    pub const OWN_BRAND: i64 = 106;
    /// Delivery zones, days and acceptance times.
    pub const DELIVERY_TERMS: i64 = 107;
    /// Complaint handling: quality claims, photos, returns (kk).
    pub const QUALITY_CLAIMS_KK: i64 = 201;
    /// Legal answer terms for complaints (kk).
    pub const COMPLAINT_TERMS_KK: i64 = 202;
}

/// "Приём заказа": a telephone order for a food and household goods wholesaler.
fn order_intake_ru() -> Script {
    use demo_articles::*;
    let offer = |id: &str, text: &str, next: &str, article: i64| {
        Node::question(id, text, &[("Добавил в заказ", next), ("Отказался", next)])
            .with_articles(&[article])
            .with_tag(TAG_EXTRA_OFFER)
    };
    let nodes = vec![
        Node::say(
            "greet",
            "Здравствуйте! Оптовая компания «Дастархан», меня зовут [имя оператора]. Готов(а) принять ваш заказ.",
            Some("client_known"),
        ),
        Node::question(
            "client_known",
            "Подскажите, вы уже работаете с нами?",
            &[("Да, действующий клиент", "existing_client"), ("Нет, новый клиент", "new_client")],
        ),
        Node::input(
            "existing_client",
            "Назовите, пожалуйста, ИНН или название организации — я открою вашу карточку.",
            "client_ref",
            "ИНН или название организации",
            "repeat_order",
        ),
        Node::question(
            "repeat_order",
            "Повторим прошлый заказ или соберём новый?",
            &[("Повторить прошлый заказ", "offer_oil"), ("Новый заказ", "needs_category")],
        ),
        Node::input(
            "new_client",
            "Рады знакомству! Назовите, пожалуйста, название организации, ИНН и контактное лицо.",
            "company",
            "Организация, ИНН, контактное лицо",
            "business_type",
        ),
        Node::question(
            "business_type",
            "Расскажите немного о вашем бизнесе: какой у вас формат точки?",
            &[
                ("Магазин у дома", "needs_category"),
                ("Кафе, столовая, ресторан", "needs_category"),
                ("Сеть магазинов", "needs_category"),
                ("Другое", "needs_category"),
            ],
        ),
        Node::question(
            "needs_category",
            "Какие товары вам нужны в первую очередь?",
            &[
                ("Продукты: бакалея, консервы", "needs_frequency"),
                ("Напитки", "needs_frequency"),
                ("Бытовая химия и хозтовары", "needs_frequency"),
                ("Смешанный заказ", "needs_frequency"),
            ],
        ),
        Node::question(
            "needs_frequency",
            "Как часто вы закупаетесь? Так я подскажу объём упаковки и график доставки.",
            &[
                ("Раз в неделю и чаще", "needs_items"),
                ("Раз в две недели", "needs_items"),
                ("Раз в месяц и реже", "needs_items"),
            ],
        ),
        Node::input(
            "needs_items",
            "Назовите позиции и количество — я сразу проверю наличие на складе.",
            "items",
            "Позиции и количество со слов клиента",
            "summary",
        ),
        Node::question(
            "summary",
            "Давайте сверим: [перечислите позиции и количество]. Всё верно?",
            &[("Да, всё верно", "offer_oil"), ("Нужно исправить", "needs_items")],
        ),
        offer(
            "offer_oil",
            "К бакалее часто берут подсолнечное масло: сейчас акция — 5 литров по цене 4. Добавить в заказ?",
            "offer_dish",
            OIL_PROMO,
        ),
        offer(
            "offer_dish",
            "У нас новинка — средство для мытья посуды в канистрах по 5 литров, выходит дешевле мелкой фасовки на 20%. \
             Добавить?",
            "offer_disposables",
            DISH_LIQUID,
        ),
        Node::question(
            "offer_disposables",
            "Нужны ли вам пакеты-майки или одноразовая посуда? Их удобно привезти вместе с этим заказом.",
            &[
                ("Добавил в заказ", "offer_seasonal"),
                ("Отказался", "offer_seasonal"),
                ("Просит больше не предлагать", "confirm_total"),
            ],
        )
        .with_articles(&[DISPOSABLES])
        .with_tag(TAG_EXTRA_OFFER),
        offer(
            "offer_seasonal",
            "И последнее: к осеннему сезону чай и сахар идут по специальной цене при заказе от 10 упаковок. Интересно?",
            "confirm_total",
            SEASONAL_TEA_SUGAR,
        ),
        Node::question(
            "confirm_total",
            "Сумма заказа — [сумма]. Как вам такой заказ?",
            &[
                ("Устраивает, оформляем", "delivery_date"),
                ("Дорого", "objection_price"),
                ("Нужно подумать", "objection_think"),
            ],
        ),
        Node::question(
            "objection_price",
            "Понимаю вас. Обратите внимание: по акции «Оптовая неделя» на бакалею скидка 7%, а от 30 000 ₽ доставка \
             бесплатная. Могу также заменить часть позиций на нашу собственную марку — она дешевле на 10–15% при том \
             же качестве.",
            &[
                ("Согласен, оформляем", "delivery_date"),
                ("Заменить на аналоги", "replace_items"),
                ("Всё равно дорого, отказ", "no_order_reason"),
            ],
        )
        .with_articles(&[WHOLESALE_WEEK, OWN_BRAND]),
        Node::input(
            "replace_items",
            "Какие позиции заменим на аналоги? Я назову цену каждой замены.",
            "replacements",
            "Какие позиции заменены и на что",
            "delivery_date",
        ),
        Node::question(
            "objection_think",
            "Конечно, решение важное. Цены по акции действуют до конца недели. Давайте я перезвоню вам в удобное время?",
            &[("Да, перезвонить", "schedule_callback"), ("Нет, не нужно", "no_order_reason")],
        ),
        Node::action(
            "schedule_callback",
            "Запланируйте обратный звонок на время, удобное клиенту.",
            Action::ScheduleCallback,
            Some("end_no_order"),
        ),
        Node::input(
            "no_order_reason",
            "Жаль! Подскажите, что стало главной причиной? Это поможет нам стать лучше.",
            "no_order_reason",
            "Причина отказа со слов клиента",
            "end_no_order",
        ),
        Node::input(
            "delivery_date",
            "На какую дату удобна доставка? Ближайшая возможная — завтра с 10:00.",
            "delivery_date",
            "Дата доставки, ДД.ММ.ГГГГ",
            "delivery_address",
        )
        .with_articles(&[DELIVERY_TERMS]),
        Node::input(
            "delivery_address",
            "Подтвердите, пожалуйста, адрес доставки и часы приёмки товара.",
            "delivery_address",
            "Адрес доставки и часы приёмки",
            "read_back",
        ),
        Node::question(
            "read_back",
            "Повторю заказ: [позиции], доставка [дата] по адресу [адрес]. Всё верно?",
            &[("Да, оформляем", "create_order"), ("Исправить дату или адрес", "delivery_date")],
        ),
        Node::action(
            "create_order",
            "Оформите заказ в системе и назовите клиенту его номер.",
            Action::CreateOrder,
            Some("end_order_created"),
        ),
        Node::end(
            "end_order_created",
            "Заказ оформлен, номер и сумма придут вам в SMS. Спасибо, что выбираете «Дастархан»! Хорошего дня.",
            "order_created",
        ),
        Node::end("end_no_order", "Спасибо за звонок! Будем рады вашему заказу. Всего доброго.", "no_order"),
    ];
    Script {
        id: "order_intake_ru".to_string(),
        version: 1,
        name: "Приём заказа".to_string(),
        lang: "ru".to_string(),
        contact_type: "sale".to_string(),
        start: "greet".to_string(),
        nodes,
    }
}

/// "Шағымды тіркеу": registering a customer's complaint, in Kazakh.
fn complaint_kk() -> Script {
    use demo_articles::*;
    let nodes = vec![
        Node::say(
            "greet",
            "Сәлеметсіз бе! «Дастархан» компаниясы, менің атым [оператордың аты]. Тыңдап тұрмын.",
            Some("listen"),
        ),
        Node::input(
            "listen",
            "Не болғанын толық айтып беріңізші, мен мұқият тыңдап тұрмын. [Клиентті бөлмеңіз, соңында негізгі ойды \
             қайталаңыз: «Түсіндім, яғни…»]",
            "complaint_summary",
            "Шағымның қысқаша мазмұны, клиенттің сөзімен",
            "apology",
        ),
        Node::say(
            "apology",
            "Бұл жағдай үшін кешірім сұраймын. Мәселені шешу үшін бірнеше нақтылаушы сұрақ қояйын.",
            Some("has_order"),
        ),
        Node::question(
            "has_order",
            "Шағым қай тапсырысқа қатысты? Тапсырыс нөмірі сізде бар ма?",
            &[("Нөмірі бар", "order_number"), ("Нөмірі жоқ", "find_order")],
        ),
        Node::input(
            "order_number",
            "Тапсырыс нөмірін айтыңызшы — ол SMS хабарламада және жүкқұжатта көрсетілген.",
            "order_number",
            "Тапсырыс нөмірі, мысалы ЗК-104522",
            "classify",
        ),
        Node::input(
            "find_order",
            "Ештеңе етпейді, тапсырысты өзім табамын. Жеткізу күні мен мекенжайын айтыңызшы.",
            "order_lookup",
            "Жеткізу күні және мекенжайы (тапсырысты табу үшін)",
            "classify",
        ),
        Node::question(
            "classify",
            "Нақтылап алайын: мәселе неге қатысты?",
            &[("Тауар сапасы", "quality"), ("Жеткізу", "delivery"), ("Баға немесе төлем", "price"), ("Басқа", "other")],
        ),
        Node::input(
            "quality",
            "Тауардың атауын, жарамдылық мерзімін және ақаудың не екенін айтыңызшы. Ақаудың фотосуретін WhatsApp \
             арқылы жібере аласыз ба?",
            "defect",
            "Тауар, партия немесе жарамдылық мерзімі, ақаудың сипаттамасы",
            "register",
        )
        .with_articles(&[QUALITY_CLAIMS_KK]),
        Node::question(
            "delivery",
            "Жеткізуде не болды?",
            &[("Кешікті", "register"), ("Толық жеткізілмеді", "register"), ("Бүлінген күйде келді", "register")],
        ),
        Node::input(
            "price",
            "Шот бойынша қандай соманы күттіңіз және нақты қанша шықты?",
            "price_issue",
            "Күтілген және нақты сома, шот нөмірі",
            "register",
        ),
        Node::question(
            "other",
            "Бұл шағым ба, әлде менеджерге арналған сұрақ па (келісімшарт, баға ұсынысы)?",
            &[("Шағым ретінде тіркеу", "other_details"), ("Менеджерге ауыстыру", "transfer_sales")],
        ),
        Node::input(
            "other_details",
            "Мәселені толығырақ сипаттап беріңізші.",
            "other_issue",
            "Мәселенің сипаттамасы",
            "register",
        ),
        Node::action(
            "transfer_sales",
            "Сізді менеджерге қосамын, ол бұл сұрақ бойынша көмектеседі. Күте тұрыңызшы.",
            Action::Transfer { queue: "sales".to_string() },
            Some("end_transferred"),
        ),
        Node::action("register", "Шағымыңызды қазір жүйеге тіркеймін.", Action::RegisterComplaint, Some("inform_term")),
        // The term mirrors the `kz.consumer_claim` legal preset (10 calendar
        // days); the complaint's own legal clock shows the exact due date.
        Node::say(
            "inform_term",
            "Шағымыңыз тіркелді, оның нөмірі SMS арқылы келеді. Заң бойынша жазбаша жауап 10 күнтізбелік күн ішінде \
             беріледі; жауап дайын болғанда сізге хабарласамыз.",
            Some("anything_else"),
        )
        .with_articles(&[COMPLAINT_TERMS_KK]),
        Node::question(
            "anything_else",
            "Сізге тағы көмектесе алатын нәрсе бар ма?",
            &[("Жоқ, рақмет", "end_registered"), ("Кері қоңырау қажет", "schedule_callback")],
        ),
        Node::action(
            "schedule_callback",
            "Клиентке ыңғайлы уақытқа кері қоңырау жоспарлаңыз.",
            Action::ScheduleCallback,
            Some("end_registered"),
        ),
        Node::end("end_registered", "Қоңырауыңызға рақмет! Сау болыңыз.", "complaint_registered"),
        Node::end("end_transferred", "Қоңырау менеджерге ауыстырылды.", "transferred"),
    ];
    Script {
        id: "complaint_kk".to_string(),
        version: 1,
        name: "Шағымды тіркеу".to_string(),
        lang: "kk".to_string(),
        contact_type: "complaint".to_string(),
        start: "greet".to_string(),
        nodes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo(id: &str) -> Script {
        demo_scripts().into_iter().find(|s| s.id == id).expect("demo script exists")
    }

    /// Runs `answers` and returns the run plus the actions the caller was asked to perform.
    fn run(script: &Script, answers: Vec<Answer>) -> (ScriptRun, Vec<Action>) {
        let mut run = ScriptRun::start(script);
        let mut actions = Vec::new();
        for (i, a) in answers.into_iter().enumerate() {
            let out = run.step_at(script, a.clone(), Some(1_000 + i as i64)).unwrap_or_else(|e| {
                panic!("step {i} ({a:?}) at {:?}: {e}", run.current());
            });
            actions.extend(out.action);
        }
        (run, actions)
    }

    fn ids(run: &ScriptRun) -> Vec<&str> {
        run.path().iter().map(|s| s.node_id.as_str()).collect()
    }

    fn enter(s: &str) -> Answer {
        Answer::Enter(s.to_string())
    }

    /// A small valid script: q → (a: say → end_ok) | (b: input → act → end_no).
    fn tiny() -> Script {
        Script {
            id: "tiny".to_string(),
            version: 3,
            name: "Tiny".to_string(),
            lang: "en".to_string(),
            contact_type: "other".to_string(),
            start: "q".to_string(),
            nodes: vec![
                Node::question("q", "Which?", &[("A", "say"), ("B", "inp")]),
                Node::say("say", "Fine.", Some("end_ok")),
                Node::input("inp", "Your address?", "address", "Address", "art"),
                Node::action("art", "Open the article.", Action::OpenArticle { article_id: 7 }, Some("act")),
                Node::action("act", "Create the order.", Action::CreateOrder, Some("end_no")),
                Node::end("end_ok", "Bye.", "ok"),
                Node::end("end_no", "Bye.", "no"),
            ],
        }
    }

    fn errors(script: &Script) -> Vec<ScriptError> {
        script.validate().err().unwrap_or_default()
    }

    #[test]
    fn demo_scripts_are_valid_and_in_their_languages() {
        let scripts = demo_scripts();
        assert_eq!(scripts.len(), 2);
        for s in &scripts {
            assert_eq!(s.validate(), Ok(()), "{}", s.id);
        }
        assert_eq!((scripts[0].name.as_str(), scripts[0].lang.as_str()), ("Приём заказа", "ru"));
        assert_eq!((scripts[1].name.as_str(), scripts[1].lang.as_str()), ("Шағымды тіркеу", "kk"));
        assert_eq!(scripts[1].contact_type, "complaint");
    }

    #[test]
    fn order_existing_client_repeats_order_and_creates_it() {
        let s = demo("order_intake_ru");
        let (run, actions) = run(
            &s,
            vec![
                Answer::Continue,
                Answer::Choose(0), // existing client
                enter("  7701234567  "),
                Answer::Choose(0), // repeat last order
                Answer::Choose(0), // oil: added
                Answer::Choose(1), // dish liquid: refused
                Answer::Choose(0), // disposables: added
                Answer::Choose(1), // seasonal: refused
                Answer::Choose(0), // total is fine
                enter("15.10.2025"),
                enter("Москва, ул. Лесная, 5, приёмка 9–13"),
                Answer::Choose(0), // read back ok
                Answer::Continue,  // create order
            ],
        );
        assert_eq!(
            ids(&run),
            [
                "greet",
                "client_known",
                "existing_client",
                "repeat_order",
                "offer_oil",
                "offer_dish",
                "offer_disposables",
                "offer_seasonal",
                "confirm_total",
                "delivery_date",
                "delivery_address",
                "read_back",
                "create_order",
                "end_order_created"
            ]
        );
        assert_eq!(actions, [Action::CreateOrder]);
        assert!(run.is_ended());
        assert_eq!(run.outcome(), Some("order_created"));
        assert_eq!(run.path()[2].label_or_text(), Some("7701234567"));
        assert_eq!(run.path()[4].label_or_text(), Some("Добавил в заказ"));
        assert_eq!(run.path()[12].answer, Recorded::Performed { action: Action::CreateOrder });
        assert_eq!(run.path()[13].answer, Recorded::Ended { outcome: "order_created".to_string() });
        assert_eq!(run.path()[13].at_ms, Some(1_012), "the end is stamped with the step that reached it");
        assert_eq!(answered_with_tag(&s, run.path(), TAG_EXTRA_OFFER), 4);
        let values = run.entered_values();
        assert_eq!(values.get("client_ref"), Some(&"7701234567"));
        assert_eq!(values.get("delivery_date"), Some(&"15.10.2025"));
        assert_eq!(values.get("delivery_address"), Some(&"Москва, ул. Лесная, 5, приёмка 9–13"));
        assert_eq!(values.len(), 3);
    }

    #[test]
    fn order_new_client_objects_on_price_and_leaves_without_order() {
        let s = demo("order_intake_ru");
        let (run, actions) = run(
            &s,
            vec![
                Answer::Continue,
                Answer::Choose(1), // new client
                enter("ООО «Ромашка», ИНН 5012345678, Ирина"),
                Answer::Choose(1), // cafe
                Answer::Choose(3), // mixed order
                Answer::Choose(0), // weekly
                enter("Мука 50 кг, сахар 20 кг"),
                Answer::Choose(1), // summary wrong
                enter("Мука 100 кг, сахар 20 кг"),
                Answer::Choose(0), // summary ok
                Answer::Choose(1), // oil refused
                Answer::Choose(1), // dish refused
                Answer::Choose(2), // do not offer more
                Answer::Choose(1), // "Дорого"
                Answer::Choose(2), // still too expensive
                enter("У конкурента дешевле"),
            ],
        );
        assert_eq!(
            ids(&run),
            [
                "greet",
                "client_known",
                "new_client",
                "business_type",
                "needs_category",
                "needs_frequency",
                "needs_items",
                "summary",
                "needs_items",
                "summary",
                "offer_oil",
                "offer_dish",
                "offer_disposables",
                "confirm_total",
                "objection_price",
                "no_order_reason",
                "end_no_order"
            ]
        );
        assert!(actions.is_empty());
        assert_eq!(run.outcome(), Some("no_order"));
        assert_eq!(run.path()[13].label_or_text(), Some("Дорого"));
        assert_eq!(answered_with_tag(&s, run.path(), TAG_EXTRA_OFFER), 3, "three offers are enough");
        assert_eq!(run.entered_values().get("items"), Some(&"Мука 100 кг, сахар 20 кг"), "the later entry wins");
        assert!(s.node("objection_price").is_some_and(|n| n.article_ids.contains(&demo_articles::WHOLESALE_WEEK)));
    }

    #[test]
    fn every_order_path_offers_at_least_three_extra_items_before_creating_an_order() {
        // Every path from the start to `create_order` passes at least three offer nodes:
        // search the graph for the fewest offers on any path reaching it.
        let s = demo("order_intake_ru");
        let mut best: HashMap<&str, usize> = HashMap::new();
        let mut queue = VecDeque::from([(s.start.as_str(), 0usize)]);
        while let Some((id, offers)) = queue.pop_front() {
            let node = s.node(id).expect("valid script");
            let offers = offers + node.tags.iter().any(|t| t == TAG_EXTRA_OFFER) as usize;
            if best.get(id).is_some_and(|&b| b <= offers) {
                continue;
            }
            best.insert(id, offers);
            queue.extend(node.successors().into_iter().map(|n| (n, offers)));
        }
        assert_eq!(best.get("create_order"), Some(&MIN_EXTRA_OFFERS));
    }

    #[test]
    fn complaint_with_order_number_about_quality_is_registered() {
        let s = demo("complaint_kk");
        let (run, actions) = run(
            &s,
            vec![
                Answer::Continue,
                enter("Ұнның ішінен қоңыз шықты"),
                Answer::Continue,
                Answer::Choose(0),
                enter("ЗК-104522"),
                Answer::Choose(0), // quality
                enter("Ұн 50 кг, жарамдылық мерзімі 01.03.2026, қоңыз"),
                Answer::Continue,  // register complaint
                Answer::Continue,  // legal term told
                Answer::Choose(1), // wants a callback
                Answer::Continue,
            ],
        );
        assert_eq!(
            ids(&run),
            [
                "greet",
                "listen",
                "apology",
                "has_order",
                "order_number",
                "classify",
                "quality",
                "register",
                "inform_term",
                "anything_else",
                "schedule_callback",
                "end_registered"
            ]
        );
        assert_eq!(actions, [Action::RegisterComplaint, Action::ScheduleCallback]);
        assert_eq!(run.outcome(), Some("complaint_registered"));
        assert_eq!(run.entered_values().get("order_number"), Some(&"ЗК-104522"));
        assert_eq!(run.path()[5].label_or_text(), Some("Тауар сапасы"));
    }

    #[test]
    fn complaint_without_number_that_is_not_a_complaint_is_transferred() {
        let s = demo("complaint_kk");
        let (run, actions) = run(
            &s,
            vec![
                Answer::Continue,
                enter("Келісімшарт бойынша сұрақ"),
                Answer::Continue,
                Answer::Choose(1), // no order number
                enter("Кеше, Абай даңғылы 10"),
                Answer::Choose(3), // other
                Answer::Choose(1), // to a manager
                Answer::Continue,
            ],
        );
        assert_eq!(
            ids(&run),
            [
                "greet",
                "listen",
                "apology",
                "has_order",
                "find_order",
                "classify",
                "other",
                "transfer_sales",
                "end_transferred"
            ]
        );
        assert_eq!(actions, [Action::Transfer { queue: "sales".to_string() }]);
        assert_eq!(run.outcome(), Some("transferred"));
        assert!(!run.entered_values().contains_key("order_number"));
    }

    #[test]
    fn tiny_is_valid() {
        assert_eq!(tiny().validate(), Ok(()));
    }

    #[test]
    fn script_level_errors() {
        let mut s = tiny();
        s.id = " ".to_string();
        s.name = String::new();
        s.lang = "de".to_string();
        assert_eq!(
            errors(&s),
            [ScriptError::EmptyId, ScriptError::EmptyName, ScriptError::UnsupportedLang { lang: "de".to_string() }]
        );
        s.nodes.clear();
        assert!(errors(&s).contains(&ScriptError::NoNodes));
    }

    #[test]
    fn duplicate_and_empty_node_ids() {
        let mut s = tiny();
        s.nodes.push(Node::end("end_ok", "Again.", "ok"));
        s.nodes.push(Node::end("", "No id.", "ok"));
        let e = errors(&s);
        assert!(e.contains(&ScriptError::DuplicateNode { node: "end_ok".to_string() }), "{e:?}");
        assert!(e.contains(&ScriptError::EmptyNodeId { index: 8 }), "{e:?}");
    }

    #[test]
    fn missing_start() {
        let mut s = tiny();
        s.start = "nowhere".to_string();
        let e = errors(&s);
        assert!(e.contains(&ScriptError::MissingStart { start: "nowhere".to_string() }), "{e:?}");
    }

    #[test]
    fn dangling_next() {
        let mut s = tiny();
        s.nodes[1] = Node::say("say", "Fine.", Some("gone"));
        let e = errors(&s);
        assert!(e.contains(&ScriptError::DanglingNext { node: "say".to_string(), next: "gone".to_string() }));
        // `say` can no longer reach an end, and `end_ok` can no longer be reached.
        assert!(e.contains(&ScriptError::NoExit { node: "say".to_string() }), "{e:?}");
        assert!(e.contains(&ScriptError::Unreachable { node: "end_ok".to_string() }), "{e:?}");
    }

    #[test]
    fn unreachable_node() {
        let mut s = tiny();
        s.nodes.push(Node::say("orphan", "Nobody gets here.", Some("end_ok")));
        assert_eq!(errors(&s), [ScriptError::Unreachable { node: "orphan".to_string() }]);
    }

    #[test]
    fn loop_without_exit() {
        let mut s = tiny();
        // say → loop1 → loop2 → loop1: reachable, but no end can be reached from them.
        s.nodes[1] = Node::say("say", "Fine.", Some("loop1"));
        s.nodes.push(Node::say("loop1", "Round", Some("loop2")));
        s.nodes.push(Node::question("loop2", "Again?", &[("Yes", "loop1"), ("Still yes", "loop2")]));
        let e = errors(&s);
        for node in ["say", "loop1", "loop2"] {
            assert!(e.contains(&ScriptError::NoExit { node: node.to_string() }), "{node}: {e:?}");
        }
        assert!(!e.contains(&ScriptError::NoExit { node: "q".to_string() }), "q can still reach end_no");
        assert!(e.contains(&ScriptError::Unreachable { node: "end_ok".to_string() }));
    }

    #[test]
    fn loop_with_an_exit_is_fine_and_say_without_next_is_an_exit() {
        let mut s = tiny();
        s.nodes[1] = Node::question("say", "Again?", &[("Yes", "q"), ("No", "bye")]);
        s.nodes.push(Node::say("bye", "Bye.", None));
        s.nodes.retain(|n| n.id != "end_ok");
        assert_eq!(s.validate(), Ok(()));
    }

    #[test]
    fn option_errors() {
        let mut s = tiny();
        s.nodes[0] = Node::question("q", "Which?", &[("A", "say"), (" a ", "inp"), ("", "inp")]);
        s.nodes.push(Node::question("empty", "Nothing to choose", &[]));
        let e = errors(&s);
        assert!(e.contains(&ScriptError::DuplicateLabel { node: "q".to_string(), label: "a".to_string() }), "{e:?}");
        assert!(e.contains(&ScriptError::EmptyLabel { node: "q".to_string(), index: 2 }), "{e:?}");
        assert!(e.contains(&ScriptError::NoOptions { node: "empty".to_string() }), "{e:?}");
        // A question without options is a dead end as well.
        assert!(e.contains(&ScriptError::NoExit { node: "empty".to_string() }), "{e:?}");
    }

    #[test]
    fn node_content_errors() {
        let mut s = tiny();
        s.nodes[1].text = "  ".to_string();
        s.nodes[2] = Node::input("inp", "Your address?", "Address!", "Address", "art");
        s.nodes[5] = Node::end("end_ok", "Bye.", "");
        assert_eq!(
            errors(&s),
            [
                ScriptError::EmptyText { node: "say".to_string() },
                ScriptError::BadField { node: "inp".to_string(), field: "Address!".to_string() },
                ScriptError::EmptyOutcome { node: "end_ok".to_string() },
            ]
        );
    }

    #[test]
    fn errors_name_the_node() {
        let e = ScriptError::DanglingNext { node: "say".to_string(), next: "gone".to_string() };
        assert_eq!(e.to_string(), "node \"say\" leads to \"gone\", which does not exist");
        let e = RunError::NoSuchOption { node: "q".to_string(), index: 5, options: 2 };
        assert_eq!(e.to_string(), "question \"q\" has 2 options; there is no option #5");
    }

    #[test]
    fn wrong_answers_are_errors_and_change_nothing() {
        let s = tiny();
        let mut run = ScriptRun::start(&s);
        let before = run.clone();
        assert_eq!(
            run.step(&s, Answer::Choose(2)),
            Err(RunError::NoSuchOption { node: "q".to_string(), index: 2, options: 2 })
        );
        assert_eq!(
            run.step(&s, enter("A")),
            Err(RunError::WrongAnswer { node: "q".to_string(), expected: AnswerKind::Choose, got: AnswerKind::Enter })
        );
        assert_eq!(
            run.step(&s, Answer::Continue),
            Err(RunError::WrongAnswer {
                node: "q".to_string(),
                expected: AnswerKind::Choose,
                got: AnswerKind::Continue
            })
        );
        assert_eq!(run, before);

        run.step(&s, Answer::Choose(1)).expect("B");
        assert_eq!(
            run.step(&s, Answer::Choose(0)),
            Err(RunError::WrongAnswer {
                node: "inp".to_string(),
                expected: AnswerKind::Enter,
                got: AnswerKind::Choose
            })
        );
        assert_eq!(run.step(&s, enter(" \n ")), Err(RunError::EmptyInput { node: "inp".to_string() }));
        let long = "я".repeat(MAX_INPUT_CHARS + 1);
        assert_eq!(
            run.step(&s, Answer::Enter(long)),
            Err(RunError::InputTooLong { node: "inp".to_string(), max_chars: MAX_INPUT_CHARS })
        );
        assert!(run.step(&s, Answer::Enter("я".repeat(MAX_INPUT_CHARS))).is_ok(), "the limit itself is allowed");
        assert_eq!(
            run.step(&s, enter("x")),
            Err(RunError::WrongAnswer {
                node: "art".to_string(),
                expected: AnswerKind::Continue,
                got: AnswerKind::Enter
            })
        );
    }

    #[test]
    fn step_outcome_reports_actions_and_the_end() {
        let s = tiny();
        let mut run = ScriptRun::start(&s);
        let out = run.step(&s, Answer::Choose(1)).expect("B");
        assert_eq!(out, StepOutcome { node_id: "inp".to_string(), action: None, ended: false, outcome: None });
        run.step(&s, enter("Main St 1")).expect("address");
        let out = run.step(&s, Answer::Continue).expect("article");
        assert_eq!(out.action, Some(Action::OpenArticle { article_id: 7 }));
        assert_eq!(out.node_id, "act");
        let out = run.step(&s, Answer::Continue).expect("order");
        assert_eq!(
            out,
            StepOutcome {
                node_id: "end_no".to_string(),
                action: Some(Action::CreateOrder),
                ended: true,
                outcome: Some("no".to_string())
            }
        );
        assert_eq!(run.step(&s, Answer::Continue), Err(RunError::AlreadyEnded));
        assert_eq!(run.step(&s, Answer::Choose(0)), Err(RunError::AlreadyEnded));
    }

    #[test]
    fn say_without_next_ends_without_outcome() {
        let mut s = tiny();
        s.nodes[1] = Node::say("say", "Fine, bye.", None);
        s.nodes.retain(|n| n.id != "end_ok");
        let mut run = ScriptRun::start(&s);
        run.step(&s, Answer::Choose(0)).expect("A");
        let out = run.step(&s, Answer::Continue).expect("bye");
        assert!(out.ended && run.is_ended());
        assert_eq!((out.node_id.as_str(), run.outcome()), ("say", None));
        assert_eq!(run.step(&s, Answer::Continue), Err(RunError::AlreadyEnded));
        // back reopens the last node.
        assert_eq!(run.back().map(|s| s.node_id), Ok("say".to_string()));
        assert!(!run.is_ended());
    }

    #[test]
    fn wrong_script_is_refused() {
        let s = tiny();
        let mut run = ScriptRun::start(&s);
        let mut newer = s.clone();
        newer.version = 4;
        assert_eq!(
            run.step(&newer, Answer::Choose(0)),
            Err(RunError::WrongScript {
                expected_id: "tiny".to_string(),
                expected_version: 3,
                got_id: "tiny".to_string(),
                got_version: 4
            })
        );
        assert!(matches!(run.step(&demo("complaint_kk"), Answer::Continue), Err(RunError::WrongScript { .. })));
    }

    #[test]
    fn broken_script_gives_errors_not_panics() {
        let mut s = tiny();
        s.nodes[1] = Node::say("say", "Fine.", Some("gone"));
        let mut run = ScriptRun::start(&s);
        run.step(&s, Answer::Choose(0)).expect("A");
        assert_eq!(run.step(&s, Answer::Continue), Err(RunError::UnknownNode { node: "gone".to_string() }));
        assert_eq!(run.current(), "say", "the failed step changed nothing");
        s.start = "missing".to_string();
        let mut run = ScriptRun::start(&s);
        assert_eq!(run.step(&s, Answer::Continue), Err(RunError::UnknownNode { node: "missing".to_string() }));
    }

    #[test]
    fn back_undoes_a_misclick_and_its_input() {
        let s = tiny();
        let mut run = ScriptRun::start(&s);
        assert_eq!(run.back(), Err(RunError::NothingToUndo));
        run.step(&s, Answer::Choose(1)).expect("B");
        run.step(&s, enter("Wrong address")).expect("address");
        let undone = run.back().expect("undo the address");
        assert_eq!(undone.label_or_text(), Some("Wrong address"));
        assert_eq!(run.current(), "inp");
        assert!(run.entered_values().is_empty());
        run.step(&s, enter("Right address")).expect("address");
        assert_eq!(run.entered_values().get("address"), Some(&"Right address"));
        // Opening an article has no side effects, so it can be undone.
        run.step(&s, Answer::Continue).expect("article");
        assert_eq!(run.back().map(|s| s.node_id), Ok("art".to_string()));
        assert_eq!(run.current(), "art");
    }

    #[test]
    fn back_from_an_end_reopens_the_choice_that_led_there() {
        let s = tiny();
        let mut run = ScriptRun::start(&s);
        run.step(&s, Answer::Choose(0)).expect("A");
        run.step(&s, Answer::Continue).expect("say");
        assert_eq!(run.outcome(), Some("ok"));
        assert_eq!(run.back().map(|s| s.node_id), Ok("say".to_string()));
        assert_eq!((run.current(), run.is_ended(), run.outcome()), ("say", false, None));
        assert_eq!(ids(&run), ["q"]);
        run.back().expect("undo A");
        assert_eq!((run.current(), run.path().len()), ("q", 0));
        run.step(&s, Answer::Choose(1)).expect("B instead");
        assert_eq!(ids(&run), ["q"]);
        assert_eq!(run.path()[0].label_or_text(), Some("B"));
    }

    #[test]
    fn back_refuses_to_hide_a_performed_action() {
        let s = tiny();
        let (mut run, actions) =
            run(&s, vec![Answer::Choose(1), enter("Main St 1"), Answer::Continue, Answer::Continue]);
        assert_eq!(actions, [Action::OpenArticle { article_id: 7 }, Action::CreateOrder]);
        let before = run.clone();
        assert_eq!(run.back(), Err(RunError::ActionPerformed { node: "act".to_string(), action: Action::CreateOrder }));
        assert_eq!(run, before);
    }

    #[test]
    fn a_start_at_an_end_ends_at_once_and_cannot_be_undone() {
        let mut s = tiny();
        s.start = "end_ok".to_string();
        let mut run = ScriptRun::start(&s);
        assert!(run.is_ended());
        assert_eq!(run.outcome(), Some("ok"));
        assert_eq!(run.back(), Err(RunError::NothingToUndo));
        assert_eq!(run.step(&s, Answer::Continue), Err(RunError::AlreadyEnded));
    }

    #[test]
    fn replay_rebuilds_a_saved_run_and_rejects_a_path_that_does_not_fit() {
        let s = demo("complaint_kk");
        let answers = vec![
            Answer::Continue,
            enter("Тауар кеш келді"),
            Answer::Continue,
            Answer::Choose(0),
            enter("ЗК-1"),
            Answer::Choose(1),
            Answer::Choose(0),
        ];
        let (partial, _) = run(&s, answers);
        let again = ScriptRun::replay(&s, partial.path()).expect("replays");
        assert_eq!(again, partial);
        assert_eq!(again.current(), "register");

        let mut path = partial.path().to_vec();
        path[5].answer = Recorded::Chose { index: 1, label: "Жеткізу кешікті".to_string() };
        assert_eq!(ScriptRun::replay(&s, &path), Err(RunError::PathMismatch { step: 5 }), "label changed");
        let mut path = partial.path().to_vec();
        path[3].node_id = "classify".to_string();
        assert_eq!(ScriptRun::replay(&s, &path), Err(RunError::PathMismatch { step: 3 }));
        let mut path = partial.path().to_vec();
        path[5].answer = Recorded::Chose { index: 9, label: "?".to_string() };
        assert_eq!(ScriptRun::replay(&s, &path), Err(RunError::PathMismatch { step: 5 }));
    }

    #[test]
    fn path_and_scripts_round_trip_through_json() {
        let s = demo("order_intake_ru");
        let json = serde_json::to_value(&s).expect("serializes");
        assert_eq!(json["nodes"][1]["kind"], "question");
        assert_eq!(json["nodes"][1]["options"][0]["next"], "existing_client");
        assert_eq!(json["nodes"][10]["tags"][0], TAG_EXTRA_OFFER);
        let create = s.nodes.iter().position(|n| n.id == "create_order").expect("exists");
        assert_eq!(json["nodes"][create]["action"]["type"], "create_order");
        let back: Script = serde_json::from_value(json).expect("deserializes");
        assert_eq!(back, s);

        let (run, _) = run(&s, vec![Answer::Continue, Answer::Choose(0), enter("7701234567")]);
        let saved = serde_json::to_string(run.path()).expect("serializes");
        assert!(saved.contains(r#""answer":{"type":"entered","field":"client_ref","text":"7701234567"}"#), "{saved}");
        let path: Vec<PathStep> = serde_json::from_str(&saved).expect("deserializes");
        assert_eq!(ScriptRun::replay(&s, &path), Ok(run));

        let from_json: Script = serde_json::from_str(
            r#"{"id":"j","version":1,"name":"J","lang":"kk","contact_type":"other","start":"a",
                "nodes":[{"id":"a","text":"Сәлем","kind":"action","action":{"type":"transfer","queue":"support"},
                          "next":"b"},{"id":"b","text":"Сау болыңыз","kind":"end","outcome":"done"}]}"#,
        )
        .expect("parses");
        assert_eq!(from_json.validate(), Ok(()));
        assert!(matches!(&from_json.nodes[0].kind, NodeKind::Action { action: Action::Transfer { queue }, .. }
            if queue == "support"));
    }

    #[test]
    fn article_links_must_exist_and_errors_name_the_node() {
        let script = Script {
            id: "s".into(),
            version: 1,
            name: "S".into(),
            lang: "ru".into(),
            contact_type: "information".into(),
            start: "a".into(),
            nodes: vec![
                Node::say("a", "Hello", Some("b")).with_articles(&[1, 2]),
                Node::action("b", "Open", Action::OpenArticle { article_id: 3 }, Some("c")),
                Node::end("c", "Bye", "done"),
            ],
        };
        assert_eq!(script.validate(), Ok(()));
        assert!(script.check_article_links(|_| true).is_empty());
        let errors = script.check_article_links(|a| a == 1);
        assert_eq!(
            errors,
            vec![
                ScriptError::UnknownArticle { node: "a".into(), article: 2 },
                ScriptError::UnknownArticle { node: "b".into(), article: 3 },
            ]
        );
        assert!(errors[1].to_string().contains("\"b\""));
    }
}
