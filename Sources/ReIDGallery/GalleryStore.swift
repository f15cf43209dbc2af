import Foundation
import GRDB

/// The gallery database: SQLite through GRDB, in WAL mode (readers never wait for the writer).
///
/// Tables: `items` (id, path, camera, time, track_id, pid, feature blob of float32) and `meta`
/// (key → value: the model identity and `revision`, which every change increments so that the
/// faiss index file knows when it is stale). Every change is one transaction: a process killed
/// in the middle of `index add` leaves each batch either fully written or absent.
public final class GalleryStore: Sendable {
    public let path: String
    let pool: DatabasePool

    /// Opens (creating when `create`) the database at `path`.
    public init(path: String, create: Bool = false) throws {
        self.path = path
        let exists = FileManager.default.fileExists(atPath: path)
        if !exists && !create {
            throw GalleryError.file(path, "no such gallery database; create one with `reid index build --gallery DIR --model … --db \(path)`")
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            var migrator = DatabaseMigrator()
            migrator.registerMigration("v1") { db in
                try db.create(table: "items") { t in
                    t.autoIncrementedPrimaryKey("id")
                    t.column("path", .text).notNull().unique()
                    t.column("camera", .integer).notNull()
                    t.column("time", .double).notNull()
                    t.column("track_id", .integer)
                    t.column("pid", .integer).notNull()
                    t.column("feature", .blob).notNull()
                }
                try db.create(table: "meta") { t in
                    t.primaryKey("key", .text)
                    t.column("value", .text).notNull()
                }
            }
            try migrator.migrate(pool)
        } catch let error as DatabaseError {
            throw GalleryError.file(path, "is not a usable gallery database (\(error.message ?? "\(error.resultCode)"))")
        }
    }

    // MARK: meta

    public func identity() throws -> GalleryModelIdentity? {
        try pool.read { db in
            guard let json = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'model'") else { return nil }
            return try JSONDecoder().decode(GalleryModelIdentity.self, from: Data(json.utf8))
        }
    }

    public func setIdentity(_ identity: GalleryModelIdentity) throws {
        let json = String(decoding: try JSONEncoder().encode(identity), as: UTF8.self)
        try pool.write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO meta(key, value) VALUES ('model', ?)", arguments: [json])
            try Self.bumpRevision(db)
        }
    }

    /// Incremented by every change of the items.
    public func revision() throws -> Int64 {
        try pool.read { db in try Self.revision(db) }
    }

    static func revision(_ db: Database) throws -> Int64 {
        try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'revision'").flatMap { Int64($0) } ?? 0
    }

    static func bumpRevision(_ db: Database) throws {
        try db.execute(sql: "INSERT OR REPLACE INTO meta(key, value) VALUES ('revision', ?)",
                       arguments: [String(try revision(db) + 1)])
    }

    // MARK: items

    /// Inserts `items` in one transaction and returns them with their ids. With `skipExisting`,
    /// items whose path is already indexed are left out (and not returned).
    @discardableResult
    public func insert(_ items: [GalleryItem], skipExisting: Bool = false) throws -> [GalleryItem] {
        // JSON cannot carry inf or nan and SQLite stores nan as NULL: refuse them at the door.
        if let bad = items.first(where: { !$0.time.isFinite || !$0.feature.allSatisfy(\.isFinite) }) {
            throw GalleryError.invalid("\(bad.path): time and feature must be finite numbers (time \(bad.time))")
        }
        return try pool.write { db in
            var stored: [GalleryItem] = []
            for var item in items {
                if skipExisting,
                   try Int64.fetchOne(db, sql: "SELECT id FROM items WHERE path = ?", arguments: [item.path]) != nil {
                    continue
                }
                try db.execute(
                    sql: "INSERT INTO items(path, camera, time, track_id, pid, feature) VALUES (?, ?, ?, ?, ?, ?)",
                    arguments: [item.path, item.camera, item.time, item.trackID, item.pid, Self.blob(item.feature)])
                item.id = db.lastInsertedRowID
                stored.append(item)
            }
            if !stored.isEmpty { try Self.bumpRevision(db) }
            return stored
        }
    }

    /// Deletes the items with these ids; returns the ids that existed.
    @discardableResult
    public func remove(ids: [Int64]) throws -> [Int64] {
        try pool.write { db in
            var removed: [Int64] = []
            for id in ids {
                try db.execute(sql: "DELETE FROM items WHERE id = ?", arguments: [id])
                if db.changesCount > 0 { removed.append(id) }
            }
            if !removed.isEmpty { try Self.bumpRevision(db) }
            return removed
        }
    }

    /// Deletes the items with these paths; returns their ids.
    @discardableResult
    public func remove(paths: [String]) throws -> [Int64] {
        let ids = try pool.read { db in
            try paths.compactMap { try Int64.fetchOne(db, sql: "SELECT id FROM items WHERE path = ?", arguments: [$0]) }
        }
        return try remove(ids: ids)
    }

    public func count() throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM items") ?? 0 }
    }

    public func item(id: Int64) throws -> GalleryItem? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM items WHERE id = ?", arguments: [id]).map(Self.item)
        }
    }

    public func items(ids: [Int64]) throws -> [Int64: GalleryItem] {
        try pool.read { db in
            var found: [Int64: GalleryItem] = [:]
            for id in ids {
                if let row = try Row.fetchOne(db, sql: "SELECT * FROM items WHERE id = ?", arguments: [id]) {
                    found[id] = try Self.item(row)
                }
            }
            return found
        }
    }

    /// Every path already indexed.
    public func paths() throws -> Set<String> {
        try pool.read { db in Set(try String.fetchAll(db, sql: "SELECT path FROM items")) }
    }

    /// Visits every item in id order with the revision the snapshot was read at (one read
    /// transaction, so a concurrent writer cannot tear the view).
    public func forEachItem(_ body: (GalleryItem) throws -> Void) throws -> Int64 {
        try pool.read { db in
            let cursor = try Row.fetchCursor(db, sql: "SELECT * FROM items ORDER BY id")
            while let row = try cursor.next() { try body(try Self.item(row)) }
            return try Self.revision(db)
        }
    }

    /// Counts per camera, and the time range.
    public func statistics() throws -> (cameras: [Int: Int], tracks: Int, firstTime: Double?, lastTime: Double?) {
        try pool.read { db in
            var cameras: [Int: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT camera, COUNT(*) AS n FROM items GROUP BY camera") {
                cameras[row["camera"]] = row["n"]
            }
            let tracks = try Int.fetchOne(db, sql: "SELECT COUNT(DISTINCT camera || '/' || track_id) FROM items WHERE track_id IS NOT NULL") ?? 0
            let range = try Row.fetchOne(db, sql: "SELECT MIN(time) AS a, MAX(time) AS b FROM items")
            return (cameras, tracks, range?["a"], range?["b"])
        }
    }

    /// Rows whose feature blob does not hold `dimension` floats (a torn write would show here).
    public func malformedRows(dimension: Int) throws -> Int {
        try pool.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM items WHERE length(feature) != ?", arguments: [dimension * 4]) ?? 0
        }
    }

    static func blob(_ feature: [Float]) -> Data {
        feature.withUnsafeBufferPointer { Data(buffer: $0) }
    }

    static func item(_ row: Row) throws -> GalleryItem {
        let data: Data = row["feature"]
        guard data.count % 4 == 0 else {
            throw GalleryError.invalid("gallery item \(row["id"] as Int64? ?? -1) has a feature of \(data.count) bytes, not a float32 vector")
        }
        var feature = [Float](repeating: 0, count: data.count / 4)
        _ = feature.withUnsafeMutableBytes { data.copyBytes(to: $0) }
        return GalleryItem(id: row["id"], path: row["path"], camera: row["camera"], time: row["time"],
                           trackID: row["track_id"], pid: row["pid"], feature: feature)
    }
}
