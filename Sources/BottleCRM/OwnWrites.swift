import Foundation
import Synchronization

/// crmgate's own writes by BottleCRM's clock, so that the activity feed's entries they
/// made are not read back: an entry by crmgate's user about a record, no later than a
/// second after crmgate's last write of it, is crmgate's own.
final class OwnWrites: Sendable {
    private struct State {
        var userID: String?
        var writes: [String: Date] = [:]
    }

    private let state = Mutex(State())

    func setUser(_ id: String?) { state.withLock { $0.userID = id } }

    func noteWrite(of id: String, answeredAt date: Date?) {
        guard let date else { return }
        state.withLock { state in
            state.writes[id] = max(state.writes[id] ?? date, date)
            if state.writes.count > 10_000 {
                let cutoff = date.addingTimeInterval(-3600)
                state.writes = state.writes.filter { $0.value > cutoff }
            }
        }
    }

    /// True when the activity (by `user` at `time`, about `id`) was crmgate's own write.
    func madeIt(user: String?, id: String, at time: Date?) -> Bool {
        state.withLock { state in
            guard let user, user == state.userID, let time, let written = state.writes[id] else { return false }
            return time <= written.addingTimeInterval(1)
        }
    }
}
