import IMAPClient
import IMAPCore
import MailStore

/// LIST and LSUB in proxy mode: the upstream's folders and the local CRM tree as one
/// namespace with `/` as delimiter. An upstream folder whose top level has the CRM tree's
/// name is hidden behind it, and the client is told once.
extension Session {
    func listMerged(tag: String, _ command: ListCommand, _ link: UpstreamLink) async throws {
        if try listDelimiterOnly(command) {
            try await ok(tag, "LIST completed")
            return
        }
        try await refreshLocalRoots()
        let reference = try decodeName(command.reference)
        let patterns = try command.patterns.map { try decodeName(MailboxName($0)) }
        let extended = link.capabilities.contains("LIST-EXTENDED")
        let listStatus = link.capabilities.contains("LIST-STATUS")
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
                                          reference: MailboxName(link.upstreamPattern(reference)),
                                          patterns: patterns.map { link.upstreamPattern($0) }, returnOptions: returnOptions)
        var selectable: [(name: String, wire: MailboxName)] = []
        let status = try await runUpstream(.list(upstreamCommand), link) { response in
            switch response {
            case .list(let entry):
                guard let (name, translated) = try clientEntry(entry, link) else { return }
                send(.untagged(.list(translated)))
                let attributes = Set(entry.attributes.map { $0.lowercased() })
                if !attributes.contains("\\noselect"), !attributes.contains("\\nonexistent") { selectable.append((name, entry.name)) }
            case .mailboxStatus(let wire, let values):
                let name = try link.clientName(wire)
                if !isLocal(name) { send(.untagged(.mailboxStatus(encodeName(name), values))) }
            default:
                break
            }
        }
        guard status.status == .ok else {
            try await answer(tag, with: status)
            return
        }
        if let statusItems, !listStatus {
            // No LIST-STATUS upstream: one STATUS per listed mailbox.
            for mailbox in selectable {
                try await runUpstream(.status(mailbox.wire, statusItems), link) { response in
                    if case .mailboxStatus(_, let values) = response {
                        send(.untagged(.mailboxStatus(encodeName(mailbox.name), values)))
                    }
                }
            }
        }
        try await listLocal(command)
        try await ok(tag, "LIST completed")
    }

    func lsubMerged(tag: String, reference: MailboxName, pattern: [UInt8], _ link: UpstreamLink) async throws {
        try await refreshLocalRoots()
        let upstreamReference = MailboxName(link.upstreamPattern(try decodeName(reference)))
        let upstreamPattern = link.upstreamPattern(try decodeName(MailboxName(pattern)))
        let status = try await runUpstream(.lsub(reference: upstreamReference, pattern: upstreamPattern), link) { response in
            if case .lsub(let entry) = response, let (_, translated) = try clientEntry(entry, link) {
                send(.untagged(.lsub(translated)))
            }
        }
        guard status.status == .ok else {
            try await answer(tag, with: status)
            return
        }
        try await lsubLocal(reference: reference, pattern: pattern)
        try await ok(tag, "LSUB completed")
    }

    /// An upstream LIST/LSUB entry with the client's name and delimiter; nil when a CRM
    /// folder hides it.
    private func clientEntry(_ entry: ListResponse, _ link: UpstreamLink) throws -> (String, ListResponse)? {
        let name = try link.clientName(entry.name)
        if isLocal(name) {
            reportCollision(name, link)
            return nil
        }
        var translated = entry
        translated.name = encodeName(name)
        if translated.delimiter != nil { translated.delimiter = UInt8(ascii: "/") }
        if let old = entry.oldName { translated.oldName = encodeName(try link.clientName(old)) }
        return (name, translated)
    }

    private func reportCollision(_ name: String, _ link: UpstreamLink) {
        guard !link.reportedCollision else { return }
        link.reportedCollision = true
        let root = name.split(separator: "/", maxSplits: 1).first.map(String.init) ?? name
        logger.warning("upstream folder hidden by the CRM tree of the same name", metadata: ["folder": "\(root)"])
        send(.untagged(.status(StatusResponse(status: .no, text: "Your mail server has a folder \"\(root)\" too; crmgate shows its CRM folders under that name, so rename the folder on your mail server to see it"))))
    }
}
