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
        var selectable: [(name: String, wire: MailboxName)] = []
        let status = try await run(.list(upstreamCommand)) { response in
            switch response {
            case .list(let entry):
                guard let (name, translated) = try clientEntry(entry) else { return }
                send(.untagged(.list(translated)))
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
