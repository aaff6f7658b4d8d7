import AsyncAlgorithms
import Foundation
import IMAPClient
import IMAPCore
import Logging
import MailStore
import ServiceLifecycle
import Sync
import Upstream

/// Proxy mode: puts processed drops back on the upstream server, into the folder they came
/// from (INBOX for an APPEND) with `$CRMDone`, then removes them from the drop folder.
///
/// When the original is still there (a COPY, or a MOVE whose upstream expunge never
/// happened) it only gets `$CRMDone`; nothing is appended twice. Reports of failed drops
/// that have worked since are taken back from the upstream INBOX the same way. It logs in
/// as the master user when one is configured, else as the user while one of their sessions
/// is open; without either, returns wait in the drop folder for the user's next login.
public final class UpstreamReturner: Service {
    let store: LocalStore
    let access: UpstreamAccess
    let logger: Logger
    let loop = WakeUpLoop()

    public init(store: LocalStore, access: UpstreamAccess, logger: Logger) {
        self.store = store
        self.access = access
        self.logger = logger
    }

    /// Returns at start, when a drop is done, when a user logs in, and every 5 s for retries.
    public func run() async throws {
        await loop.run(every: .seconds(5), signals: merge(store.upstreamReturns.subscribe(), access.sessions.logins())) {
            await self.returnDue()
        }
    }

    func returnDue() async {
        let due: [UpstreamReturn], retractions: [UpstreamRetraction]
        do {
            due = try await store.dueUpstreamReturns()
            retractions = try await store.dueUpstreamRetractions()
        } catch {
            logger.error("cannot read the returns to the upstream", metadata: ["error": "\(error)"])
            return
        }
        let returns = Dictionary(grouping: due, by: \.email), takeBacks = Dictionary(grouping: retractions, by: \.email)
        for email in Set(returns.keys).union(takeBacks.keys).sorted() where access.canWorkInBackground(for: email) {
            await work(returns[email] ?? [], takeBacks[email] ?? [], of: email)
        }
    }

    /// One login of `email`'s for their returns and the reports to take back.
    private func work(_ returns: [UpstreamReturn], _ retractions: [UpstreamRetraction], of email: String) async {
        do {
            guard let opened = try await access.backgroundConnection(for: email, logger: logger) else { return }
            defer { opened.close() }
            let names = try await access.names(on: opened)
            try await each(returns, retry: retry) { item in
                try await self.returnItem(item, on: opened, names: names)
                try await self.store.completeUpstreamReturn(item)
                self.logger.info("drop returned to the upstream", metadata: ["user": "\(email)", "folder": "\(item.origin.folder)"])
            }
            try await each(retractions, retry: retry) { item in
                let removed = try await self.retract(item, on: opened)
                try await self.store.completeUpstreamRetraction(item)
                self.logger.info("report of a drop that worked since taken back from the upstream INBOX",
                                 metadata: ["user": "\(email)", "found": "\(removed)"])
            }
            await opened.logout()
        } catch {
            logger.warning("upstream unavailable for returning drops; trying again later",
                           metadata: ["user": "\(email)", "upstream": "\(access.server)", "error": "\(error)"])
            for item in returns { await retry(item, after: error) }
            for item in retractions { await retry(item, after: error) }
        }
    }

    /// Runs `body` for each item: when the server refuses one, that one alone waits; a lost
    /// connection ends the batch (thrown, so that all of it waits).
    private func each<Item>(_ items: [Item], retry: (Item, any Error) async -> Void, _ body: (Item) async throws -> Void) async throws {
        for item in items {
            do {
                try await body(item)
            } catch let error as IMAPClientError {
                guard case .rejected = error else { throw error }
                await retry(item, error)
            } catch {
                await retry(item, error)
            }
        }
    }

    /// 5 s, doubling, at most an hour: a restarted mail server gets its mail back soon.
    private static func delay(after attempts: Int) -> TimeInterval {
        min(3600.0, 5.0 * pow(2.0, Double(min(attempts, 10))))
    }

    private func retry(_ item: UpstreamReturn, after error: any Error) async {
        do {
            try await store.retryUpstreamReturn(item, at: Date().addingTimeInterval(Self.delay(after: item.attempts)), error: "\(error)")
        } catch {
            logger.error("cannot reschedule a return to the upstream", metadata: ["error": "\(error)"])
        }
    }

    private func retry(_ item: UpstreamRetraction, after error: any Error) async {
        do {
            try await store.retryUpstreamRetraction(item, at: Date().addingTimeInterval(Self.delay(after: item.attempts)), error: "\(error)")
        } catch {
            logger.error("cannot reschedule taking a report back from the upstream", metadata: ["error": "\(error)"])
        }
    }

    /// Removes the report with the item's Message-ID from the upstream INBOX, if it is still
    /// there (the user may have deleted or moved it): marks it `\Deleted` and expunges just it
    /// (UID EXPUNGE; without UIDPLUS it stays marked for the user's next expunge, as a plain
    /// EXPUNGE would take the user's other deleted mail too). Returns how many it found.
    func retract(_ item: UpstreamRetraction, on connection: IMAPClientConnection) async throws -> Int {
        let selected = try await connection.run(.select(.inbox, SelectParameters()))
        guard selected.status == .ok else { throw IMAPClientError.rejected(command: "SELECT", selected) }
        var uids: [UInt32] = []
        let search = SearchCommand(key: .header(Array("Message-ID".utf8), Array(item.messageID.utf8)))
        try await connection.execute(.search(search, uid: true)) { response in
            if case .search(let found, _) = response { uids += found }
        }
        if !uids.isEmpty {
            let set = SequenceSet(uids: uids)
            try await connection.execute(.store(set, StoreModifiers(), StoreAction(operation: .add, silent: true, flags: [.deleted]), uid: true))
            if connection.capabilities.contains("UIDPLUS") { try await connection.execute(.uidExpunge(set)) }
        }
        try await connection.run(.unselect)
        return uids.count
    }

    /// Puts one message back: flags its original if that is still there, else appends a copy.
    func returnItem(_ item: UpstreamReturn, on connection: IMAPClientConnection, names: UpstreamNames) async throws {
        guard let stored = try await store.storedMessage(in: item.mailbox, uid: item.uid),
              let state = try await store.metadata(in: item.mailbox, uids: [item.uid]).first else { return }
        let flags = state.state.flags.filter { $0 != DropKeyword.pending && $0 != DropKeyword.error }
        let folder = try names.upstreamName(item.origin.folder)
        if let uid = item.origin.uid, let uidValidity = item.origin.uidValidity,
           try await flagOriginal(uid, uidValidity: uidValidity, in: folder, on: connection) {
            return
        }
        let raw = try await store.read(stored, range: 0..<stored.index.size)
        let date = InternalDate(secondsSince1970: Int64(state.internalDate.timeIntervalSince1970),
                                timeZoneOffsetMinutes: state.internalZoneMinutes)
        let message = AppendMessage(flags: flags.map { Flag($0) }, date: date, data: raw)
        var target = folder
        var status = try await connection.run(.append(target, message))
        if status.status != .ok, status.code == .tryCreate, item.origin.folder != "INBOX" {
            // The folder is gone upstream: INBOX rather than nowhere.
            target = .inbox
            status = try await connection.run(.append(target, message))
        }
        if status.status != .ok, status.code != .tryCreate {
            // Some servers refuse new keywords: the message matters more than its marker.
            let plain = AppendMessage(flags: flags.filter { $0.hasPrefix("\\") }.map { Flag($0) }, date: date, data: raw)
            status = try await connection.run(.append(target, plain))
        }
        guard status.status == .ok else { throw IMAPClientError.rejected(command: "APPEND", status) }
    }

    /// Marks the original `$CRMDone` (and not `\Deleted`) when it is still in `folder`; false when it is not.
    private func flagOriginal(_ uid: UInt32, uidValidity: UInt32, in folder: MailboxName, on connection: IMAPClientConnection) async throws -> Bool {
        var current: UInt32?
        let selected = try await connection.run(.select(folder, SelectParameters())) { response in
            if case .status(let status) = response, case .uidValidity(let value)? = status.code { current = value }
        }
        guard selected.status == .ok, current == uidValidity else { return false }
        var present = false
        try await connection.execute(.fetch(SequenceSet(uids: [uid]), [.uid], FetchModifiers(), uid: true)) { response in
            if case .fetch(_, let items) = response, items.contains(.uid(uid)) { present = true }
        }
        if present {
            let set = SequenceSet(uids: [uid])
            try await connection.execute(.store(set, StoreModifiers(), StoreAction(operation: .remove, silent: true, flags: [.deleted]), uid: true))
            let marked = try await connection.run(.store(set, StoreModifiers(), StoreAction(operation: .add, silent: true, flags: [Flag(DropKeyword.done)]), uid: true))
            if marked.status != .ok { logger.notice("upstream refused the $CRMDone keyword", metadata: ["text": "\(marked.text)"]) }
        }
        try await connection.run(.unselect)
        return present
    }
}
