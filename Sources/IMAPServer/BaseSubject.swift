import MIMECore

/// The base subject of RFC 5256 §2.1 that SORT SUBJECT and THREAD compare: the subject
/// decoded (RFC 2047), white space collapsed, with `Re:`, `Fwd:`, `Fw:`, `[list]` tags,
/// trailing `(fwd)` and `[fwd: …]` wrappers taken off, ASCII upper-cased (i;ascii-casemap).
struct BaseSubject: Hashable {
    let text: String
    /// Something was taken off that marks a reply or forward (the THREAD rules need it).
    let isReplyOrForward: Bool

    init(_ raw: [UInt8]?) {
        var subject = Self.collapsed(HeaderDecoding.decodeEncodedWords(raw ?? []))
        var marked = false
        while true {
            // (2) subj-trailer: "(fwd)" and white space at the end.
            while true {
                subject = Self.trimmedTrailing(subject)
                guard subject.uppercased().hasSuffix("(FWD)") else { break }
                subject = String(subject.dropLast(5))
                marked = true
            }
            // (3)-(5) subj-leader and leading subj-blob, until nothing changes.
            var changed = true
            while changed {
                changed = false
                if let rest = Self.droppingLeader(subject) {
                    subject = rest
                    marked = true
                    changed = true
                }
                if let rest = Self.droppingBlob(subject), !Self.trimmedTrailing(rest).isEmpty {
                    subject = rest
                    changed = true
                }
            }
            // (6) subj-fwd: "[fwd:" subject "]".
            let upper = subject.uppercased()
            guard upper.hasPrefix("[FWD:"), upper.hasSuffix("]") else { break }
            subject = String(subject.dropFirst(5).dropLast())
            marked = true
        }
        text = Self.asciiUppercased(subject)
        isReplyOrForward = marked
    }

    /// Tabs and line breaks as spaces, runs of spaces as one, no leading space.
    private static func collapsed(_ text: String) -> String {
        var out = ""
        var lastSpace = true
        for character in text {
            if character == " " || character == "\t" || character == "\r" || character == "\n" {
                if !lastSpace { out.append(" ") }
                lastSpace = true
            } else {
                out.append(character)
                lastSpace = false
            }
        }
        return out
    }

    private static func trimmedTrailing(_ text: String) -> String {
        var text = Substring(text)
        while text.last == " " { text = text.dropLast() }
        return String(text)
    }

    // subj-leader     = (*subj-blob subj-refwd) / WSP
    // subj-refwd      = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":"
    private static func droppingLeader(_ text: String) -> String? {
        if text.first == " " { return String(text.dropFirst()) }
        var rest = Substring(text)
        while let afterBlob = blob(rest) { rest = afterBlob }
        let upper = rest.uppercased()
        var marker = 0
        if upper.hasPrefix("RE") { marker = 2 } else if upper.hasPrefix("FWD") { marker = 3 } else if upper.hasPrefix("FW") { marker = 2 }
        guard marker > 0 else { return nil }
        rest = rest.dropFirst(marker)
        while rest.first == " " { rest = rest.dropFirst() }
        if let afterBlob = blob(rest) { rest = afterBlob }
        guard rest.first == ":" else { return nil }
        return String(rest.dropFirst())
    }

    // subj-blob       = "[" *BLOBCHAR "]" *WSP ; BLOBCHAR = any CHAR except "[" and "]"
    private static func droppingBlob(_ text: String) -> String? {
        blob(Substring(text)).map(String.init)
    }

    private static func blob(_ text: Substring) -> Substring? {
        guard text.first == "[" else { return nil }
        var rest = text.dropFirst()
        while let character = rest.first, character != "]" {
            guard character != "[" else { return nil }
            rest = rest.dropFirst()
        }
        guard rest.first == "]" else { return nil }
        rest = rest.dropFirst()
        while rest.first == " " { rest = rest.dropFirst() }
        return rest
    }

    private static func asciiUppercased(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { ("a"..."z").contains($0) ? Unicode.Scalar($0.value - 32)! : $0 }))
    }
}
