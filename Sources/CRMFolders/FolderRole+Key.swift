import CRM

extension FolderRole {
    /// How the mail store records the role of a managed mailbox (`display:opportunities`,
    /// `assign:opportunities/42`); stable across renames of the folder.
    var key: String {
        switch self {
        case .master: "master"
        case .createEmail: "create-email"
        case .createRecord(let module): "create:\(module)"
        case .display(let module): "display:\(module)"
        case .assignToParent(let module): "assign-parent:\(module)"
        case .assignTo(let ref): "assign:\(ref.module)/\(ref.id)"
        }
    }

    /// Drop folders take messages; display folders and the folders above them do not.
    var acceptsMessages: Bool {
        switch self {
        case .createEmail, .createRecord, .assignTo: true
        case .master, .display, .assignToParent: false
        }
    }

    var recordKey: String? {
        if case .assignTo(let ref) = self { return "\(ref.module)/\(ref.id)" }
        return nil
    }
}
