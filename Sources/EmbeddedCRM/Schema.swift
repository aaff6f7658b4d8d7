import GRDB

/// The embedded CRM's schema. Migrations never change once shipped: add a new one instead.
///
/// Records of every module share one table; their fields are JSON (the module definitions
/// come from code and configuration), while everything that must stay consistent — owners,
/// references between records, numbering, email and domain look-ups, the change log and
/// archived emails — lives in columns and tables the schema checks.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: users, records, change log, archived emails") { db in
            try createUsersAndRecords(db)
            try createIndexes(db)
            try createChangeLog(db)
            try createArchive(db)
        }
        migrator.registerMigration("v2: idempotent creates") { db in
            // The key of each create that carried one, so that repeating it returns the record.
            try db.create(table: "createKey") { t in
                t.primaryKey("key", .text)
                t.column("recordId", .integer).notNull().references("record", onDelete: .cascade)
            }
        }
        migrator.registerMigration("v3: activity changes") { db in
            // The change log learns `activity` (an email archived to the record). SQLite cannot
            // change a CHECK constraint, so the table is made again and its rows copied over.
            try db.execute(sql: "ALTER TABLE changeLog RENAME TO changeLogV1")
            try db.drop(index: "changeLog_module")
            try createChangeLog(db, kinds: ["created", "changed", "closed", "deleted", "reassigned", "activity"])
            try db.execute(sql: """
                INSERT INTO changeLog (seq, module, recordId, kind, previousOwnerId, at)
                SELECT seq, module, recordId, kind, previousOwnerId, at FROM changeLogV1;
                DROP TABLE changeLogV1;
                """)
        }
        return migrator
    }

    private static func createUsersAndRecords(_ db: Database) throws {
        try db.create(table: "user") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("name", .text).notNull()
            t.column("email", .text).notNull().unique().collate(.nocase)
            t.column("active", .boolean).notNull().defaults(to: true)
        }
        // The last auto number given out per prefix (`OPP` → 42 made `OPP-0042`).
        try db.create(table: "numberSequence") { t in
            t.primaryKey("prefix", .text)
            t.column("lastValue", .integer).notNull()
        }
        try db.create(table: "record") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("module", .text).notNull()
            t.column("number", .text).unique()
            t.column("ownerId", .integer).references("user", onDelete: .restrict)
            t.column("name", .text).notNull()
            t.column("fields", .text).notNull().check(sql: "json_valid(fields)")
            t.column("closed", .boolean).notNull()
            t.column("deleted", .boolean).notNull().defaults(to: false)
            t.column("createdAt", .datetime).notNull()
            t.column("modifiedAt", .datetime).notNull()
        }
        try db.create(index: "record_active", on: "record", columns: ["module", "deleted", "closed", "ownerId"])
        // References from a record's fields to other records, so that the schema vouches
        // for them and the web UI can list what relates to a record.
        try db.create(table: "recordReference") { t in
            t.column("recordId", .integer).notNull().references("record", onDelete: .cascade)
            t.column("field", .text).notNull()
            t.column("targetId", .integer).notNull().references("record", onDelete: .restrict)
            t.primaryKey(["recordId", "field"])
        }
        try db.create(index: "recordReference_target", on: "recordReference", columns: ["targetId"])
    }

    private static func createIndexes(_ db: Database) throws {
        // Lower-cased email addresses of contacts and leads, for `findPeople`.
        try db.create(table: "recordEmail") { t in
            t.column("recordId", .integer).notNull().references("record", onDelete: .cascade)
            t.column("email", .text).notNull()
            t.primaryKey(["recordId", "email"])
        }
        try db.create(index: "recordEmail_email", on: "recordEmail", columns: ["email"])
        // Lower-cased domains of accounts, for `findAccounts`.
        try db.create(table: "accountDomain") { t in
            t.column("recordId", .integer).notNull().references("record", onDelete: .cascade)
            t.column("domain", .text).notNull()
            t.primaryKey(["recordId", "domain"])
        }
        try db.create(index: "accountDomain_domain", on: "accountDomain", columns: ["domain"])
    }

    private static func createChangeLog(_ db: Database, kinds: [String] = ["created", "changed", "closed", "deleted", "reassigned"]) throws {
        try db.create(table: "changeLog") { t in
            t.autoIncrementedPrimaryKey("seq")
            t.column("module", .text).notNull()
            t.column("recordId", .integer).notNull().references("record", onDelete: .cascade)
            t.column("kind", .text).notNull()
                .check(sql: "kind IN (" + kinds.map { "'\($0)'" }.joined(separator: ", ") + ")")
            t.column("previousOwnerId", .integer).references("user", onDelete: .restrict)
            t.column("at", .datetime).notNull()
        }
        try db.create(index: "changeLog_module", on: "changeLog", columns: ["module", "seq"])
    }

    private static func createArchive(_ db: Database) throws {
        try db.create(table: "email") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("archiveKey", .text).notNull().unique()
            t.column("messageId", .text)
            t.column("subject", .text).notNull()
            t.column("fromName", .text)
            t.column("fromAddress", .text)
            t.column("toJSON", .text).notNull().check(sql: "json_valid(toJSON)")
            t.column("ccJSON", .text).notNull().check(sql: "json_valid(ccJSON)")
            t.column("date", .datetime).notNull()
            t.column("textBody", .text)
            t.column("htmlBody", .text)
            t.column("rawMessage", .blob).notNull()
            t.column("ownerId", .integer).notNull().references("user", onDelete: .restrict)
            t.column("archivedAt", .datetime).notNull()
        }
        try db.create(index: "email_messageId", on: "email", columns: ["messageId"])
        try db.create(table: "emailAttachment") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("emailId", .integer).notNull().references("email", onDelete: .cascade)
            t.column("position", .integer).notNull()
            t.column("filename", .text).notNull()
            t.column("contentType", .text).notNull()
            t.column("size", .integer).notNull()
            t.column("data", .blob).notNull()
            t.uniqueKey(["emailId", "position"])
        }
        // What an archived email relates to: people (contacts, leads or users) and records.
        try db.create(table: "emailRelation") { t in
            t.column("emailId", .integer).notNull().references("email", onDelete: .cascade)
            t.column("role", .text).notNull().check(sql: "role IN ('person', 'record')")
            t.column("position", .integer).notNull()
            t.column("recordId", .integer).references("record", onDelete: .restrict)
            t.column("userId", .integer).references("user", onDelete: .restrict)
            t.primaryKey(["emailId", "role", "position"])
            t.check(sql: "(recordId IS NULL) <> (userId IS NULL)")
        }
        try db.create(index: "emailRelation_record", on: "emailRelation", columns: ["recordId"])
        try db.create(index: "emailRelation_user", on: "emailRelation", columns: ["userId"])
    }
}
