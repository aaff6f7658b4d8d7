import CRM
import IMAPCore

/// What a managed folder is for.
public enum FolderRole: Hashable, Sendable {
    /// The CRM's master folder, parent of everything else.
    case master
    /// `- Create New Email`: archive the dropped mail to the people it involves.
    case createEmail
    /// `- Create New <Module>`: create a record from the dropped mail.
    case createRecord(ModuleKey)
    /// `<Modules>`: one summary email per active record.
    case display(ModuleKey)
    /// `<Modules>/Assign To`: parent of the per-record drop folders.
    case assignToParent(ModuleKey)
    /// `<Modules>/Assign To/<item>`: archive the dropped mail to this record.
    case assignTo(RecordRef)
}

/// One managed folder: its full name (delimiter `/`) and role.
public struct PlannedFolder: Hashable, Sendable {
    public var name: String
    public var role: FolderRole
}

/// Folder names of a policy (all configurable; these are the defaults users know from Riva).
public struct FolderNames: Hashable, Sendable {
    public var master: String
    public var createEmail: String
    /// `{module}` is replaced by the module's singular name.
    public var createRecord: String
    public var assignTo: String
    /// Name of an Assign To folder: `{name}`, `{number}` or any field key.
    public var assignToTemplate: String

    public init(master: String, createEmail: String = "- Create New Email", createRecord: String = "- Create New {module}",
                assignTo: String = "Assign To", assignToTemplate: String = "{name} ({number})") {
        self.master = master; self.createEmail = createEmail; self.createRecord = createRecord
        self.assignTo = assignTo; self.assignToTemplate = assignToTemplate
    }
}

/// The whole managed folder tree of one user, computed from the policy and the records
/// the user sees; the CRM folders service makes the mailbox match it.
public enum FolderPlan {
    /// - Parameters:
    ///   - dropModules: modules with a `- Create New <Module>` folder.
    ///   - displayModules: modules with a display folder and Assign To folders, with the
    ///     user's active records of each.
    public static func plan(names: FolderNames, dropModules: [ModuleDefinition],
                            displayModules: [(module: ModuleDefinition, records: [CRMRecord])]) -> [PlannedFolder] {
        let master = FolderName.sanitize(names.master)
        var folders = [PlannedFolder(name: master, role: .master),
                       PlannedFolder(name: "\(master)/\(FolderName.sanitize(names.createEmail))", role: .createEmail)]
        for module in dropModules {
            let name = names.createRecord.replacingOccurrences(of: "{module}", with: module.singular)
            folders.append(PlannedFolder(name: "\(master)/\(FolderName.sanitize(name))", role: .createRecord(module.key)))
        }
        for (module, records) in displayModules {
            let display = "\(master)/\(FolderName.sanitize(module.plural))"
            let parent = "\(display)/\(FolderName.sanitize(names.assignTo))"
            folders.append(PlannedFolder(name: display, role: .display(module.key)))
            folders.append(PlannedFolder(name: parent, role: .assignToParent(module.key)))
            var used = Set<String>()
            for record in records.sorted(by: { FolderName.order($0.ref.id, $1.ref.id) }) {
                let base = FolderName.sanitize(FolderName.expand(names.assignToTemplate, record: record, module: module))
                var name = base
                var n = 2
                while !used.insert(name.lowercased()).inserted {
                    name = FolderName.shortened("\(base) (\(n))")
                    n += 1
                }
                folders.append(PlannedFolder(name: "\(parent)/\(name)", role: .assignTo(record.ref)))
            }
        }
        return folders
    }
}

/// Turning record data into one safe mailbox name level.
enum FolderName {
    /// Characters of one level, "…" included.
    static let maxLength = 120
    /// Octets of one level in modified UTF-7, as clients without UTF8=ACCEPT see it: a
    /// long non-Latin name grows to nearly three times its characters there, and many
    /// servers and file systems stop at 255.
    static let maxEncodedBytes = 255

    /// One hierarchy level: no `/` (the delimiter), no LIST wildcards, no control
    /// characters, single spaces, at most `maxLength` characters, never empty.
    static func sanitize(_ text: String) -> String {
        var out = ""
        var lastWasSpace = false
        for scalar in text.unicodeScalars {
            let replacement: String
            switch scalar {
            case "/", "\\": replacement = "-"
            case "*", "%": replacement = ""
            case _ where scalar.value < 0x20 || scalar.value == 0x7F || scalar.properties.generalCategory == .format:
                replacement = " "
            default: replacement = String(scalar)
            }
            for c in replacement {
                if c == " " {
                    if lastWasSpace || out.isEmpty { continue }
                    lastWasSpace = true
                } else {
                    lastWasSpace = false
                }
                out.append(c)
            }
        }
        out = out.trimmingTrailingSpaces()
        return out.isEmpty ? "Untitled" : shortened(out)
    }

    /// `text` cut to `maxLength` characters and `maxEncodedBytes` octets of modified UTF-7,
    /// by whole characters (never inside a UTF-8 sequence, a grapheme or, once encoded, a
    /// modified UTF-7 run), marked "…". Up to two trailing groups such as " (OPP-0044)" or
    /// " (2)" are kept: they tell records apart.
    static func shortened(_ text: String) -> String {
        guard !fits(text) else { return text }
        var head = Substring(text)
        var tail = ""
        for _ in 0..<2 {
            guard let close = head.last, close == ")" || close == "]",
                  let open = head.lastIndex(of: close == ")" ? "(" : "["), open > head.startIndex,
                  head[head.index(before: open)] == " " else { break }
            let group = head[head.index(before: open)...]
            guard group.count <= 40 else { break }
            tail = group + tail
            head = head[..<head.index(before: open)]
        }
        if !fits("x…" + tail) { (head, tail) = (Substring(text), "") }
        var cut = String(head.prefix(maxLength))
        while !cut.isEmpty, !fits(cut.trimmingTrailingSpaces() + "…" + tail) { cut.removeLast() }
        return cut.trimmingTrailingSpaces() + "…" + tail
    }

    private static func fits(_ text: String) -> Bool {
        text.count <= maxLength && MailboxNameCodec.encode(text, utf8: false).count <= maxEncodedBytes
    }

    /// `{name} ({number})` with the record's values; `()` left empty by a missing value are dropped.
    static func expand(_ template: String, record: CRMRecord, module: ModuleDefinition) -> String {
        var out = template.replacingOccurrences(of: "{name}", with: record.name(in: module))
            .replacingOccurrences(of: "{number}", with: record.number ?? "")
        for (key, value) in record.fields { out = out.replacingOccurrences(of: "{\(key)}", with: value.displayText) }
        while let open = out.range(of: "{"), let close = out[open.upperBound...].range(of: "}") {
            out.removeSubrange(open.lowerBound..<close.upperBound)
        }
        return out.replacingOccurrences(of: "()", with: "").replacingOccurrences(of: "[]", with: "")
    }

    /// Numeric ids in numeric order, others as text, so collisions number stably.
    static func order(_ a: RecordID, _ b: RecordID) -> Bool {
        if let x = Int(a.rawValue), let y = Int(b.rawValue) { return x < y }
        return a.rawValue < b.rawValue
    }
}

private extension String {
    func trimmingTrailingSpaces() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
