//! /etc/amportal.conf (FreePBX before 2.10): the Flash Operator Panel off,
//! as the article does (`FOPRUN=FALSE`, `FOPDISABLE=TRUE`).

use super::edit::Edit;

pub fn fop_off(text: &str) -> Edit {
    let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let mut lines: Vec<String> = text.split_inclusive('\n').map(str::to_string).collect();
    let mut notes = Vec::new();
    for (key, value) in [("FOPRUN", "FALSE"), ("FOPDISABLE", "TRUE")] {
        let wanted = format!("{key}={value}");
        let found = lines
            .iter()
            .position(|l| l.trim_start().split('=').next().map(str::trim) == Some(key));
        match found {
            Some(i) if lines[i].trim_end() == wanted => {}
            Some(i) => {
                let ending = if lines[i].ends_with('\n') { eol } else { "" };
                lines[i] = format!("{wanted}{ending}");
                notes.push(wanted);
            }
            None => {
                if let Some(last) = lines.last_mut()
                    && !last.ends_with('\n')
                {
                    last.push_str(eol);
                }
                lines.push(format!("{wanted}{eol}"));
                notes.push(wanted);
            }
        }
    }
    Edit {
        text: lines.concat(),
        notes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn switches_fop_off_once() {
        let e = fop_off("AMPDBUSER=asteriskuser\nFOPRUN=TRUE\n");
        assert_eq!(
            e.text,
            "AMPDBUSER=asteriskuser\nFOPRUN=FALSE\nFOPDISABLE=TRUE\n"
        );
        assert_eq!(fop_off(&e.text).text, e.text);
    }
}
