import IMAPClient
import IMAPCore
import MailStore

/// LIST and LSUB of the upstream's folders, with the client's names and `/` as delimiter, for
/// the router to merge with the CRM tree's. An upstream folder whose top level has the CRM
/// tree's name is hidden behind it, and the client is told once.
extension UpstreamBackend {
    func list(_ command: ListCommand) async throws {
        let reference = try session.decodeName(command.reference)
        let patterns = try command.patterns.map { try session.decodeName(MailboxName($0)) }
        let extended = capabilities.contains("LIST-EXTENDED")
        let listStatus = capabilities.contains("LIST-STATUS")
        var statusItems: [StatusAttribute]?
        var returnOptions: [ListReturnOption] = []
        for option in command.returnOptions {
            if case .status(let items) = option {
                statusItems = items
                if listStatus { returnOptions.append(option) }
            } else if extended {
                returnOptions.append(option)
            }
        }
        let upstreamCommand = ListCommand(selectionOptions: extended ? command.selectionOptions : [],
                                          reference: MailboxName(upstreamPattern(reference)),
                                          patterns: patterns.map { upstreamPattern($0) }, returnOptions: returnOptions)
        let emulated = !extended && (!command.selectionOptions.isEmpty || command.returnOptions.contains(.subscribed))
        var selectable: [(name: String, wire: MailboxName)] = []
        var entries: [(name: String, entry: ListResponse)] = []
        let status = try await run(.list(upstreamCommand)) { response in
            switch response {
            case .list(let entry):
                guard let (name, translated) = try clientEntry(entry) else { return }
                if emulated { entries.append((name, translated)) } else { send(.untagged(.list(translated))) }
                let attributes = Set(entry.attributes.map { $0.lowercased() })
                if !attributes.contains("\\noselect"), !attributes.contains("\\nonexistent") { selectable.append((name, entry.name)) }
            case .mailboxStatus(let wire, let values):
                let name = try clientName(wire)
                if !session.isLocal(name) { send(.untagged(.mailboxStatus(encodeName(name), values))) }
            default:
                break
            }
        }
        try require(status)
        if emulated {
            let shown = try await emulateListExtended(command, reference: reference, patterns: patterns, entries)
            selectable.removeAll { !shown.contains($0.name) }
        }
        if let statusItems, !listStatus {
            // No LIST-STATUS upstream: one STATUS per listed mailbox.
            for mailbox in selectable {
                try await run(.status(mailbox.wire, statusItems)) { response in
                    if case .mailboxStatus(_, let values) = response {
                        send(.untagged(.mailboxStatus(encodeName(mailbox.name), values)))
                    }
                }
            }
        }
    }

    /// LIST-EXTENDED's selection and return options (RFC 5258) for an upstream without it,
    /// applied to its plain LIST `entries`: SUBSCRIBED (with RECURSIVEMATCH) and the
    /// `\\Subscribed` attribute from its subscriptions, SPECIAL-USE from the attributes.
    /// Sends the entries that pass; returns their names.
    private func emulateListExtended(_ command: ListCommand, reference: String, patterns: [String],
                                     _ entries: [(name: String, entry: ListResponse)]) async throws -> Set<String> {
        let options = Set(command.selectionOptions.map { $0.uppercased() })
        let subscribedOnly = options.contains("SUBSCRIBED")
        let markSubscribed = subscribedOnly || command.returnOptions.contains(.subscribed)
        var subscriptions: Set<String> = []
        if markSubscribed {
            let status = try await run(.lsub(reference: MailboxName([UInt8]()), pattern: Array("*".utf8))) { response in
                if case .lsub(let entry) = response, let name = try? clientName(entry.name), !session.isLocal(name) {
                    subscriptions.insert(name)
                }
            }
            try require(status)
        }
        let matchers = patterns.map { MailboxPattern(reference: reference, pattern: $0) }
        func matches(_ name: String) -> Bool { matchers.contains { $0.matches(name) } }
        var listed = Dictionary(entries.map { ($0.name, $0.entry) }, uniquingKeysWith: { first, _ in first })
        var names = entries.map(\.name)
        var childInfo: Set<String> = []
        if subscribedOnly {
            // Subscribed ones, existing or not, and with RECURSIVEMATCH the parents of subscribed ones.
            var wanted = subscriptions.filter(matches)
            if options.contains("RECURSIVEMATCH") {
                for name in subscriptions {
                    for parent in MailboxNaming.ancestors(of: name) where matches(parent) && !subscriptions.contains(parent) {
                        childInfo.insert(parent)
                        wanted.insert(parent)
                    }
                }
            }
            names = wanted.sorted()
        }
        let specialUses: Set<String> = ["\\all", "\\archive", "\\drafts", "\\flagged", "\\junk", "\\sent", "\\trash"]
        var shown: Set<String> = []
        for name in names {
            var entry = listed.removeValue(forKey: name)
                ?? ListResponse(attributes: ["\\NonExistent"], delimiter: UInt8(ascii: "/"), name: encodeName(name), childInfo: [], oldName: nil)
            if options.contains("SPECIAL-USE"), !entry.attributes.contains(where: { specialUses.contains($0.lowercased()) }) { continue }
            if markSubscribed, subscriptions.contains(name), !entry.attributes.contains(where: { $0.lowercased() == "\\subscribed" }) {
                entry.attributes.append("\\Subscribed")
            }
            if childInfo.contains(name) { entry.childInfo = ["SUBSCRIBED"] }
            send(.untagged(.list(entry)))
            shown.insert(name)
        }
        return shown
    }

    func lsub(reference: String, pattern: String) async throws {
        let upstreamReference = MailboxName(upstreamPattern(reference))
        let status = try await run(.lsub(reference: upstreamReference, pattern: upstreamPattern(pattern))) { response in
            if case .lsub(let entry) = response, let (_, translated) = try clientEntry(entry) {
                send(.untagged(.lsub(translated)))
            }
        }
        try require(status)
    }

    /// An upstream LIST/LSUB entry with the client's name and delimiter; nil when a CRM
    /// folder hides it.
    private func clientEntry(_ entry: ListResponse) throws -> (String, ListResponse)? {
        let name = try clientName(entry.name)
        if session.isLocal(name) {
            reportCollision(name)
            return nil
        }
        var translated = entry
        translated.name = encodeName(name)
        if translated.delimiter != nil { translated.delimiter = UInt8(ascii: "/") }
        if let old = entry.oldName { translated.oldName = encodeName(try clientName(old)) }
        return (name, translated)
    }

    private func reportCollision(_ name: String) {
        guard !reportedCollision else { return }
        reportedCollision = true
        let root = name.split(separator: "/", maxSplits: 1).first.map(String.init) ?? name
        logger.warning("upstream folder hidden by the CRM tree of the same name", metadata: ["folder": "\(root)"])
        send(.untagged(.status(StatusResponse(status: .no, text: "Your mail server has a folder \"\(root)\" too; crmgate shows its CRM folders under that name, so rename the folder on your mail server to see it"))))
    }
}
