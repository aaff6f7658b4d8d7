/// Parses RFC 5322 address lists into IMAP ENVELOPE address structures.
///
/// Handles groups (`undisclosed-recipients:;`), quoted display names, comments (used as the
/// name when there is no display name), obsolete routes (`<@relay:user@host>`) and stray
/// commas. Never fails: what cannot be understood is skipped.
///
/// <https://www.rfc-editor.org/rfc/rfc5322#section-3.4>, <https://www.rfc-editor.org/rfc/rfc9051#section-7.5.2>
enum AddressListParser {
    private enum Token: Equatable {
        case word([UInt8], quoted: Bool)
        case special(UInt8)
        case comment([UInt8])
    }

    // address-list = (address *("," address)) / obs-addr-list
    // address      = mailbox / group
    // group        = display-name ":" [group-list] ";" [CFWS]
    // mailbox      = name-addr / addr-spec
    // name-addr    = [display-name] angle-addr
    static func parse(_ value: [UInt8]) -> [MessageAddress] {
        let tokens = tokenize(value)
        var result: [MessageAddress] = []
        var pending: [Token] = []
        var inGroup = false
        var index = 0

        func flushAddrSpec() {
            defer { pending.removeAll() }
            let words = pending.filter { if case .comment = $0 { return false } else { return true } }
            guard !words.isEmpty else { return }
            var address = addrSpec(words[...])
            if address.name == nil, let comment = pending.lazy.compactMap({ token -> [UInt8]? in
                if case .comment(let text) = token, !text.isEmpty { return text } else { return nil }
            }).last {
                address.name = comment
            }
            result.append(address)
        }

        while index < tokens.count {
            let token = tokens[index]
            index += 1
            switch token {
            case .special(ASCII.lessThan):
                let name = phrase(pending)
                pending.removeAll()
                var inner: [Token] = []
                while index < tokens.count, tokens[index] != .special(ASCII.greaterThan) {
                    if case .comment = tokens[index] {} else { inner.append(tokens[index]) }
                    index += 1
                }
                index += 1
                // Anything after ">" up to the next separator is junk (or a comment).
                while index < tokens.count, tokens[index] != .special(ASCII.comma), tokens[index] != .special(ASCII.semicolon) {
                    index += 1
                }
                if var address = angleAddr(inner) {
                    address.name = name
                    result.append(address)
                } else if let name {
                    result.append(MessageAddress(name: name, mailbox: [], host: []))
                }
            case .special(ASCII.colon) where !inGroup:
                result.append(MessageAddress(mailbox: phrase(pending) ?? [], host: nil))
                pending.removeAll()
                inGroup = true
            case .special(ASCII.comma):
                flushAddrSpec()
            case .special(ASCII.semicolon):
                flushAddrSpec()
                if inGroup {
                    result.append(MessageAddress(mailbox: nil, host: nil))
                    inGroup = false
                }
            default:
                pending.append(token)
            }
        }
        flushAddrSpec()
        if inGroup { result.append(MessageAddress(mailbox: nil, host: nil)) }
        return result
    }

    // angle-addr = [CFWS] "<" [obs-route] addr-spec ">" [CFWS]
    // obs-route  = obs-domain-list ":"
    private static func angleAddr(_ tokens: [Token]) -> MessageAddress? {
        var rest = tokens[...]
        var adl: [UInt8]?
        if rest.first == .special(ASCII.at), let colon = rest.firstIndex(of: .special(ASCII.colon)) {
            adl = concatenate(rest[..<colon])
            rest = rest[(colon + 1)...]
        }
        guard !rest.isEmpty else { return nil }
        var address = addrSpec(rest)
        address.adl = adl
        return address
    }

    // addr-spec = local-part "@" domain
    /// A mailbox without "@" gets an empty host: NIL would mark a group in IMAP.
    private static func addrSpec(_ tokens: ArraySlice<Token>) -> MessageAddress {
        guard let at = tokens.lastIndex(of: .special(ASCII.at)) else {
            return MessageAddress(mailbox: concatenate(tokens), host: [])
        }
        return MessageAddress(mailbox: concatenate(tokens[..<at]), host: concatenate(tokens[(at + 1)...]))
    }

    private static func concatenate(_ tokens: ArraySlice<Token>) -> [UInt8] {
        var out: [UInt8] = []
        for token in tokens {
            switch token {
            case .word(let bytes, _): out += bytes
            case .special(let b): out.append(b)
            case .comment: break
            }
        }
        return out
    }

    // display-name = phrase ; phrase = 1*word / obs-phrase
    /// Words joined by one space; nil when there are none.
    private static func phrase(_ tokens: [Token]) -> [UInt8]? {
        var out: [UInt8] = []
        var previousWasWord = false
        for token in tokens {
            switch token {
            case .word(let bytes, _):
                if previousWasWord { out.append(ASCII.space) }
                out += bytes
                previousWasWord = true
            case .special(let b):
                out.append(b)
                previousWasWord = false
            case .comment:
                continue
            }
        }
        return out.isEmpty ? nil : out
    }

    private static func tokenize(_ value: [UInt8]) -> [Token] {
        var tokens: [Token] = []
        var index = 0
        while index < value.count {
            let b = value[index]
            switch b {
            case ASCII.space, ASCII.tab, ASCII.cr, ASCII.lf:
                index += 1
            case ASCII.quote:
                tokens.append(.word(ContentTypeParser.quotedString(value, &index), quoted: true))
            case ASCII.openParen:
                tokens.append(.comment(comment(value, &index)))
            case ASCII.openBracket:
                let start = index
                while index < value.count, value[index] != ASCII.closeBracket { index += 1 }
                index = min(index + 1, value.count)
                tokens.append(.word(Array(value[start..<index]), quoted: false))
            case ASCII.lessThan, ASCII.greaterThan, ASCII.at, ASCII.comma, ASCII.semicolon, ASCII.colon:
                tokens.append(.special(b))
                index += 1
            default:
                let start = index
                while index < value.count, !isAtomEnd(value[index]) { index += 1 }
                tokens.append(.word(Array(value[start..<index]), quoted: false))
            }
        }
        return tokens
    }

    private static func isAtomEnd(_ b: UInt8) -> Bool {
        switch b {
        case ASCII.space, ASCII.tab, ASCII.cr, ASCII.lf, ASCII.quote, ASCII.openParen, ASCII.openBracket,
             ASCII.lessThan, ASCII.greaterThan, ASCII.at, ASCII.comma, ASCII.semicolon, ASCII.colon:
            return true
        default:
            return false
        }
    }

    // comment = "(" *([FWS] ccontent) [FWS] ")"     (nested; returns the text without the outer parens)
    private static func comment(_ value: [UInt8], _ index: inout Int) -> [UInt8] {
        var out: [UInt8] = []
        var depth = 0
        while index < value.count {
            let b = value[index]
            index += 1
            if b == ASCII.backslash, index < value.count {
                out.append(value[index])
                index += 1
                continue
            }
            if b == ASCII.openParen {
                depth += 1
                if depth == 1 { continue }
            } else if b == ASCII.closeParen {
                depth -= 1
                if depth == 0 { break }
            }
            out.append(b)
        }
        return ASCII.trimmed(out)
    }
}
