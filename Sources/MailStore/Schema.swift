import Foundation
import GRDB
import MIMECore

/// The local store's schema. Migrations never change once shipped: add a new one instead.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: accounts, mailboxes, messages") { db in
            try db.create(table: "counter") { t in
                t.primaryKey("name", .text)
                t.column("value", .integer).notNull()
            }
            try db.create(table: "user") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("email", .text).notNull().unique().collate(.nocase)
                t.column("passwordHash", .text).notNull()
                t.column("createdAt", .datetime).notNull()
            }
            try db.create(table: "mailbox") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("user", onDelete: .cascade).notNull()
                t.column("name", .text).notNull()
                t.column("uidValidity", .integer).notNull()
                t.column("uidNext", .integer).notNull()
                t.column("highestModSeq", .integer).notNull()
                t.column("specialUse", .text)
                t.uniqueKey(["userId", "name"])
            }
            try db.create(table: "subscription") { t in
                t.belongsTo("user", onDelete: .cascade).notNull()
                t.column("name", .text).notNull()
                t.primaryKey(["userId", "name"])
            }
            // A message as parsed at APPEND, stored once and shared by every copy of it.
            try db.create(table: "body") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("size", .integer).notNull()
                t.column("indexJSON", .blob).notNull()
                t.column("envelope", .blob).notNull()
                t.column("bodyStructure", .blob).notNull()
                t.column("bodyBasic", .blob).notNull()
            }
            // The raw bytes in fixed-size pieces, so that any byte range (a section, a chunk of
            // a big body being streamed) is read without loading the whole message.
            try db.create(table: "bodyChunk") { t in
                t.belongsTo("body", onDelete: .cascade).notNull()
                t.column("seq", .integer).notNull()
                t.column("data", .blob).notNull()
                t.primaryKey(["bodyId", "seq"])
            }
            try db.create(table: "message") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("mailbox", onDelete: .cascade).notNull()
                t.column("uid", .integer).notNull()
                t.belongsTo("body").notNull()
                t.column("internalDate", .integer).notNull()
                t.column("internalZone", .integer).notNull()
                t.column("size", .integer).notNull()
                t.column("flags", .text).notNull()
                t.column("modSeq", .integer).notNull()
                t.uniqueKey(["mailboxId", "uid"])
            }
            try db.create(index: "message_modseq", on: "message", columns: ["mailboxId", "modSeq"])
            // Tombstones of expunged UIDs, for other sessions and QRESYNC VANISHED (EARLIER).
            try db.create(table: "expunged") { t in
                t.belongsTo("mailbox", onDelete: .cascade).notNull()
                t.column("uid", .integer).notNull()
                t.column("modSeq", .integer).notNull()
                t.primaryKey(["mailboxId", "uid"])
            }
            // A body lives as long as one message refers to it.
            try db.execute(sql: """
                CREATE TRIGGER body_release AFTER DELETE ON message
                WHEN NOT EXISTS (SELECT 1 FROM message WHERE bodyId = OLD.bodyId)
                BEGIN DELETE FROM body WHERE id = OLD.bodyId; END
                """)
        }
        migrator.registerMigration("v2: API tokens") { db in
            // Only a SHA-256 of each token is kept: a stolen database yields no usable token.
            try db.create(table: "apiToken") { t in
                t.primaryKey("hash", .text)
                t.belongsTo("user", onDelete: .cascade).notNull()
                t.column("createdAt", .datetime).notNull()
            }
        }
        migrator.registerMigration("v3: CRM-managed folders and summaries") { db in
            // Mailboxes the CRM folders service owns: the user cannot delete, rename or
            // (for display folders) append to them. `role` is the service's own label.
            try db.create(table: "managedMailbox") { t in
                t.primaryKey("mailboxId", .integer).references("mailbox", onDelete: .cascade)
                t.column("role", .text).notNull()
                t.column("acceptsMessages", .boolean).notNull()
                t.column("recordKey", .text)
            }
            // The record (and its version) a summary message shows.
            try db.create(table: "summary") { t in
                t.primaryKey("messageId", .integer).references("message", onDelete: .cascade)
                t.column("recordKey", .text).notNull()
                t.column("version", .text).notNull()
            }
        }
        migrator.registerMigration("v4: drop queue") { db in
            // One row per message put into a drop folder, written in the same transaction as
            // the message: a drop is queued durably before the client's OK. The row outlives
            // its message (a done drop's mail goes back to INBOX) for crmgate status; a
            // pending drop whose message the user removed is never processed.
            try db.create(table: "dropJob") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("messageId", .integer).unique().references("message", onDelete: .setNull)
                t.belongsTo("user", onDelete: .cascade).notNull()
                t.column("sourceMailboxId", .integer).references("mailbox", onDelete: .setNull)
                t.column("state", .text).notNull().check { ["pending", "done", "failed"].contains($0) }
                t.column("attempts", .integer).notNull()
                t.column("nextAttemptAt", .datetime).notNull()
                t.column("lastError", .text)
                t.column("createdAt", .datetime).notNull()
            }
            try db.create(index: "dropJob_due", on: "dropJob", columns: ["state", "nextAttemptAt"])
        }
        migrator.registerMigration("v5: conversation follow") { db in
            // The thread a message belongs to, kept with its body at APPEND so that COPY and
            // MOVE can tell a reply to a tracked mail without parsing it again. Bodies stored
            // before this migration have none: they predate every tracked conversation.
            try db.alter(table: "body") { t in
                t.add(column: "messageIdHeader", .text)
                t.add(column: "threadIds", .text)
            }
            // A follow job archives a reply to the records its conversation is tracked to.
            try db.alter(table: "dropJob") { t in
                t.add(column: "follow", .boolean).notNull().defaults(to: false)
            }
            // The mails a drop archived, per user and target, with the records and people they
            // went to: later mails of the same conversation follow them there.
            try db.create(table: "trackedMessage") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("user", onDelete: .cascade).notNull()
                t.column("messageId", .text).notNull()
                t.column("target", .text).notNull()
                t.column("records", .text).notNull()
                t.column("people", .text).notNull()
                t.column("createdAt", .datetime).notNull()
                t.uniqueKey(["userId", "messageId", "target"])
            }
        }
        migrator.registerMigration("v6: no redundant indexes") { db in
            // `belongsTo` gave each of these tables an index on its foreign key that a unique
            // key or primary key already starts with. Every insert and delete paid for the
            // extra index pages in the WAL; look-ups and cascades use the longer key.
            for index in ["message_on_mailboxId", "expunged_on_mailboxId", "bodyChunk_on_bodyId", "mailbox_on_userId",
                          "subscription_on_userId", "trackedMessage_on_userId"] {
                try db.drop(index: index)
            }
        }
        migrator.registerMigration("v7: upstream origins") { db in
            // Proxy mode: where a message in a CRM folder came from on the upstream server, so
            // that the processed drop goes back there and a repeated MOVE stores it once.
            try db.execute(sql: """
                CREATE TABLE upstreamOrigin (
                    messageId INTEGER PRIMARY KEY REFERENCES message(id) ON DELETE CASCADE,
                    userId INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
                    folder TEXT NOT NULL,
                    uidValidity INTEGER,
                    uid INTEGER,
                    returnDue INTEGER NOT NULL DEFAULT 0,
                    holdUntil DATETIME,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    nextAttemptAt DATETIME,
                    lastError TEXT
                );
                CREATE UNIQUE INDEX upstreamOrigin_original ON upstreamOrigin(userId, folder, uidValidity, uid) WHERE uid IS NOT NULL;
                CREATE INDEX upstreamOrigin_due ON upstreamOrigin(nextAttemptAt) WHERE returnDue;
                """)
        }
        migrator.registerMigration("v8: recent floor") { db in
            // \Recent (RFC 3501 §2.3.2): messages above the floor are recent for the first
            // session that selects the mailbox (or sees them arrive); existing ones are not.
            try db.execute(sql: """
                ALTER TABLE mailbox ADD COLUMN recentFloor INTEGER NOT NULL DEFAULT 0;
                UPDATE mailbox SET recentFloor = uidNext - 1;
                """)
        }
        migrator.registerMigration("v9: save date") { db in
            // SAVEDATE (RFC 8514): when the message was saved into its mailbox; NULL (NIL) for
            // messages stored before.
            try db.execute(sql: "ALTER TABLE message ADD COLUMN savedAt INTEGER")
        }
        migrator.registerMigration("v10: search fields") { db in
            // What header searches read, per body (`SearchFields`): a table of its own, so that
            // reading it never passes through a body's parsed index. Filled for stored mail here.
            try db.create(table: "searchFields") { t in
                t.primaryKey("bodyId", .integer).references("body", onDelete: .cascade)
                t.column("text", .text).notNull()
            }
            let bodies = try Row.fetchCursor(db, sql: "SELECT id, indexJSON FROM body")
            let decoder = JSONDecoder()
            while let row = try bodies.next() {
                let index = try decoder.decode(MessageIndex.self, from: row["indexJSON"] as Data)
                let header = try BodyChunks.read(db, bodyId: row["id"], range: 0..<min(index.size, index.root.headerRange.upperBound))
                try db.execute(sql: "INSERT INTO searchFields(bodyId, text) VALUES (?, ?)",
                               arguments: [row["id"] as Int64, SearchFields(index: index, raw: header).text])
            }
        }
        migrator.registerMigration("v11: expunged by modseq") { db in
            // What was expunged since a MODSEQ (every session's update, QRESYNC): the tombstones
            // grow with every EXPUNGE, and by the primary key the query read all of a mailbox's.
            try db.execute(sql: "CREATE INDEX expunged_modseq ON expunged(mailboxId, modSeq)")
        }
        migrator.registerMigration("v12: body text") { db in
            // What BODY searches read, per body: the decoded text of its text parts, so that a
            // search neither decodes a parsed index nor reads and decodes the bytes of every
            // message. Filled for stored mail here.
            try db.execute(sql: "ALTER TABLE searchFields ADD COLUMN bodyText TEXT")
            let bodies = try Row.fetchCursor(db, sql: "SELECT id, size, indexJSON FROM body")
            let decoder = JSONDecoder()
            while let row = try bodies.next() {
                let index = try decoder.decode(MessageIndex.self, from: row["indexJSON"] as Data)
                let raw = try BodyChunks.read(db, bodyId: row["id"], range: 0..<(row["size"] as Int))
                try db.execute(sql: "UPDATE searchFields SET bodyText = ? WHERE bodyId = ?",
                               arguments: [index.searchableText(in: raw), row["id"] as Int64])
            }
        }
        migrator.registerMigration("v13: user time zone") { db in
            // The zone an account reads times in (summary emails, the web UI), set with
            // `crmgate user timezone`; NULL follows the policy's, else the server's.
            try db.execute(sql: "ALTER TABLE user ADD COLUMN timeZone TEXT")
        }
        migrator.registerMigration("v14: drop reports") { db in
            // The error reports written for failed drops, by the dropped mail's key (its
            // Message-ID or hash): when the same mail is dropped again and succeeds, its
            // reports go and the failed copies lose $CRMError. messageId is the report's
            // message while it is stored here (NULL once returned upstream, in proxy mode);
            // failedMessageId the message whose drop failed.
            try db.execute(sql: """
                CREATE TABLE dropReport(
                    id INTEGER PRIMARY KEY,
                    userId INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
                    mailKey TEXT NOT NULL,
                    messageId INTEGER,
                    failedMessageId INTEGER,
                    upstream BOOLEAN NOT NULL DEFAULT 0,
                    createdAt DATETIME NOT NULL)
                """)
            try db.execute(sql: "CREATE INDEX dropReport_key ON dropReport(userId, mailKey)")
        }
        migrator.registerMigration("v15: resolved drops") { db in
            // A report remembers its failed drop (whose failure stops counting in crmgate
            // status once the mail went through: resolvedAt) and its own Message-ID, by which
            // a report already returned to the upstream INBOX is found and taken back there.
            try db.execute(sql: "ALTER TABLE dropReport ADD COLUMN jobId INTEGER")
            try db.execute(sql: "ALTER TABLE dropReport ADD COLUMN reportMessageID TEXT")
            try db.execute(sql: "ALTER TABLE dropJob ADD COLUMN resolvedAt DATETIME")
            try db.execute(sql: """
                CREATE TABLE upstreamRetraction(
                    id INTEGER PRIMARY KEY,
                    userId INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
                    messageID TEXT NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    nextAttemptAt DATETIME NOT NULL,
                    lastError TEXT)
                """)
        }
        migrator.registerMigration("v16: binary message index") { db in
            // Bodies stored from now on keep their parsed index in its binary form
            // (`MessageIndex.stored`), read in microseconds where JSON took 70–90 µs.
            // Rows written before stay JSON: `MessageIndex(stored:)` reads both.
            try db.execute(sql: "ALTER TABLE body RENAME COLUMN indexJSON TO messageIndex")
        }
        return migrator
    }
}
