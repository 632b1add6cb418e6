//! Line edits on a parsed config: replace a line, insert lines after another,
//! comment a line out. Every other line keeps its exact bytes.

use super::conf::{Conf, Kind, Line};

impl Conf {
    /// A new line in the file's line-ending style.
    pub fn new_line(&self, text: &str, kind: Kind) -> Line {
        Line {
            text: text.to_string(),
            eol: self.eol().to_string(),
            kind,
        }
    }

    /// Insert `lines` after line `index`. After a last line without a line
    /// ending, that line gets one and the new last line goes without: the
    /// file still ends the way it did.
    pub fn insert_after(&mut self, index: usize, mut lines: Vec<Line>) {
        let eol = self.eol().to_string();
        if let Some(prev) = self.lines.get_mut(index)
            && prev.eol.is_empty()
            && !lines.is_empty()
        {
            prev.eol = eol;
            if let Some(last) = lines.last_mut() {
                last.eol.clear();
            }
        }
        for (k, l) in lines.into_iter().enumerate() {
            self.lines.insert(index + 1 + k, l);
        }
    }

    /// Turn line `index` into a comment carrying `note`.
    pub fn comment_out(&mut self, index: usize, note: &str) {
        let line = &mut self.lines[index];
        line.text = format!(";{} ; {note}", line.text.trim_end());
        line.kind = Kind::Comment;
    }

    /// The last line index that belongs to the first appearance of section
    /// `name` (its header if it is empty), ignoring trailing blank lines so
    /// an insertion lands right after the section's content.
    pub fn end_of_section(&self, name: &str) -> Option<usize> {
        let sections = self.sections();
        let pos = sections
            .iter()
            .position(|(_, n, o)| n.eq_ignore_ascii_case(name) && !o.contains('!'))?;
        let start = sections[pos].0;
        let next = sections
            .get(pos + 1)
            .map_or(self.lines.len(), |(i, _, _)| *i);
        let blank = |i: usize| matches!(self.lines[i].kind, Kind::Blank);
        let comment = |i: usize| matches!(self.lines[i].kind, Kind::Comment);
        let mut end = next;
        while end > start + 1 && blank(end - 1) {
            end -= 1;
        }
        // Comments just above the next header describe that section: they
        // stay with it, and so do the blank lines before them.
        if next < self.lines.len() {
            while end > start + 1 && comment(end - 1) {
                end -= 1;
            }
            while end > start + 1 && blank(end - 1) {
                end -= 1;
            }
        }
        let last = end - 1;
        Some(last)
    }
}

/// The outcome of an edit: the new text, and what was done, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub text: String,
    pub notes: Vec<String>,
}

impl Edit {
    pub fn changed(&self, before: &str) -> bool {
        self.text != before
    }
}
