//! The questions the line mode asks, behind one trait: inquire on a real
//! terminal, plain lines from any reader in tests (and nothing else changes).

use std::io::{BufRead, Write};
use std::rc::Rc;

/// Why a question got no answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromptEnd {
    /// Esc: go back a step.
    Back,
    /// Ctrl-C, Ctrl-D or end of input: leave the wizard.
    Quit,
    Failed(String),
}

pub type Answer<T> = Result<T, PromptEnd>;

/// A live check of typed text: `Err` holds the message shown under it.
pub type Check = Rc<dyn Fn(&str) -> Result<(), String>>;

pub trait Prompter {
    fn select(
        &mut self,
        prompt: &str,
        options: &[String],
        default: usize,
        help: &str,
    ) -> Answer<usize>;
    fn confirm(&mut self, prompt: &str, default: bool, help: &str) -> Answer<bool>;
    fn text(&mut self, prompt: &str, default: &str, help: &str, check: Check) -> Answer<String>;
    /// Returns the new checked state of every option.
    fn multi_select(
        &mut self,
        prompt: &str,
        options: &[String],
        checked: &[bool],
        help: &str,
    ) -> Answer<Vec<bool>>;
}

/// inquire's prompts, on the terminal.
pub struct InquirePrompter;

fn ended(e: inquire::InquireError) -> PromptEnd {
    match e {
        inquire::InquireError::OperationCanceled => PromptEnd::Back,
        inquire::InquireError::OperationInterrupted => PromptEnd::Quit,
        other => PromptEnd::Failed(other.to_string()),
    }
}

impl Prompter for InquirePrompter {
    fn select(
        &mut self,
        prompt: &str,
        options: &[String],
        default: usize,
        help: &str,
    ) -> Answer<usize> {
        let mut select = inquire::Select::new(prompt, options.to_vec())
            .with_starting_cursor(default)
            .with_page_size(options.len().max(1));
        if !help.is_empty() {
            select = select.with_help_message(help);
        }
        select.raw_prompt().map(|o| o.index).map_err(ended)
    }

    fn confirm(&mut self, prompt: &str, default: bool, help: &str) -> Answer<bool> {
        let mut confirm = inquire::Confirm::new(prompt).with_default(default);
        if !help.is_empty() {
            confirm = confirm.with_help_message(help);
        }
        confirm.prompt().map_err(ended)
    }

    fn text(&mut self, prompt: &str, default: &str, help: &str, check: Check) -> Answer<String> {
        let validator = move |s: &str| {
            Ok(match check(s) {
                Ok(()) => inquire::validator::Validation::Valid,
                Err(m) => inquire::validator::Validation::Invalid(m.into()),
            })
        };
        let mut t = inquire::Text::new(prompt).with_validator(validator);
        if !help.is_empty() {
            t = t.with_help_message(help);
        }
        if !default.is_empty() {
            t = t.with_default(default);
        }
        t.prompt().map_err(ended)
    }

    fn multi_select(
        &mut self,
        prompt: &str,
        options: &[String],
        checked: &[bool],
        help: &str,
    ) -> Answer<Vec<bool>> {
        let defaults: Vec<usize> = (0..options.len()).filter(|i| checked[*i]).collect();
        let mut multi = inquire::MultiSelect::new(prompt, options.to_vec())
            .with_default(&defaults)
            .with_page_size(options.len().max(1));
        if !help.is_empty() {
            multi = multi.with_help_message(help);
        }
        let chosen = multi.raw_prompt().map_err(ended)?;
        Ok((0..options.len())
            .map(|i| chosen.iter().any(|o| o.index == i))
            .collect())
    }
}

/// Plain lines: an empty line takes the default, `<` goes back, end of
/// input quits. For tests (stdin piped) and anything without a terminal UI.
pub struct LinePrompter<R, W> {
    input: R,
    output: W,
}

impl<R: BufRead, W: Write> LinePrompter<R, W> {
    pub fn new(input: R, output: W) -> Self {
        Self { input, output }
    }

    pub fn into_output(self) -> W {
        self.output
    }

    fn line(&mut self, prompt: &str, shown_default: &str) -> Answer<String> {
        let _ = write!(self.output, "? {prompt} [{shown_default}] ");
        let mut line = String::new();
        match self.input.read_line(&mut line) {
            Ok(0) => Err(PromptEnd::Quit),
            Ok(_) => {
                let line = line.trim().to_string();
                let _ = writeln!(self.output, "{line}");
                if line == "<" {
                    Err(PromptEnd::Back)
                } else {
                    Ok(line)
                }
            }
            Err(e) => Err(PromptEnd::Failed(e.to_string())),
        }
    }
}

impl<R: BufRead, W: Write> Prompter for LinePrompter<R, W> {
    fn select(
        &mut self,
        prompt: &str,
        options: &[String],
        default: usize,
        _help: &str,
    ) -> Answer<usize> {
        for (i, o) in options.iter().enumerate() {
            let _ = writeln!(self.output, "  {}) {o}", i + 1);
        }
        loop {
            let l = self.line(prompt, &(default + 1).to_string())?;
            if l.is_empty() {
                return Ok(default);
            }
            match l.parse::<usize>() {
                Ok(n) if (1..=options.len()).contains(&n) => return Ok(n - 1),
                _ => {
                    let _ = writeln!(self.output, "  type a number from 1 to {}", options.len());
                }
            }
        }
    }

    fn confirm(&mut self, prompt: &str, default: bool, _help: &str) -> Answer<bool> {
        loop {
            let l = self.line(prompt, if default { "Y/n" } else { "y/N" })?;
            match l.to_ascii_lowercase().as_str() {
                "" => return Ok(default),
                "y" | "yes" => return Ok(true),
                "n" | "no" => return Ok(false),
                _ => {
                    let _ = writeln!(self.output, "  answer y or n");
                }
            }
        }
    }

    fn text(&mut self, prompt: &str, default: &str, _help: &str, check: Check) -> Answer<String> {
        loop {
            let l = self.line(prompt, default)?;
            let value = if l.is_empty() { default.to_string() } else { l };
            if value == default {
                return Ok(value);
            }
            match check(&value) {
                Ok(()) => return Ok(value),
                Err(m) => {
                    let _ = writeln!(self.output, "  ✗ {m}");
                }
            }
        }
    }

    fn multi_select(
        &mut self,
        prompt: &str,
        options: &[String],
        checked: &[bool],
        _help: &str,
    ) -> Answer<Vec<bool>> {
        let mut state = checked.to_vec();
        loop {
            for (i, o) in options.iter().enumerate() {
                let mark = if state[i] { "x" } else { " " };
                let _ = writeln!(self.output, "  [{mark}] {}) {o}", i + 1);
            }
            let l = self.line(&format!("{prompt} (numbers toggle)"), "keep")?;
            if l.is_empty() {
                return Ok(state);
            }
            for n in l.split(|c: char| c == ',' || c.is_whitespace()) {
                if let Ok(n) = n.parse::<usize>()
                    && (1..=options.len()).contains(&n)
                {
                    state[n - 1] = !state[n - 1];
                }
            }
        }
    }
}
