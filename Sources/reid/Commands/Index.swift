import ArgumentParser
import Foundation
import ReID
import ReIDCommandOptions
import ReIDGallery
import Torch

struct IndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Build and update a searchable gallery of person crops (SQLite + faiss).",
        discussion: """
            A gallery is a SQLite database (WAL mode) holding, per crop, its path,
            camera, time, optional track id and feature, plus the model name and
            the SHA-256 of its weights; `<db>.faiss` beside it is a faiss index of
            the features, rebuilt from the database whenever it is stale.

            Cameras come from Market-1501 names (`0001_c2s1_…` → camera 1) or
            folders named camN; a numeric folder below camN is a track id; the
            time is the file's modification time.

            Examples:
              reid index build --images crops/ --run runs/adapted --db gallery.sqlite
              reid index build --images crops/ --model osnet_x0_25 \\
                  --weights osnet_x0_25.safetensors --db gallery.sqlite
              reid index add --db gallery.sqlite --images new_crops/
              reid index remove --db gallery.sqlite --id 12 --id 13
              reid index stats --db gallery.sqlite --json
            """,
        subcommands: [IndexBuild.self, IndexAdd.self, IndexRemove.self, IndexStats.self, IndexRebuild.self]
    )
}

/// Embeds and stores images in transactions of `commitEvery`, skipping paths already indexed.
/// A kill loses at most the batch in flight; running the same command again completes the rest.
func addImages(_ items: [GalleryItem], to index: GalleryIndex, embedder: GalleryEmbedder, commitEvery: Int,
               batch: Int, label: String) throws -> (added: Int, skipped: Int) {
    let existing = try index.store.paths()
    let todo = items.filter { !existing.contains($0.path) }
    let progress = Progress(total: todo.count, label: label)
    var added = 0
    var start = 0
    while start < todo.count {
        let chunk = Array(todo[start..<min(todo.count, start + commitEvery)])
        let features = try embedder.features(paths: chunk.map(\.path), batchSize: batch)
        let complete = zip(chunk, features).map { item, feature -> GalleryItem in
            var item = item
            item.feature = feature
            return item
        }
        added += try index.add(complete, skipExisting: true).count
        progress.advance(chunk.count)
        start += chunk.count
    }
    return (added, items.count - todo.count)
}

struct IndexBuild: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Index every image below a folder into a new (or the same model's) gallery database.")

    @Option(name: [.customLong("images"), .customLong("gallery")],
            help: "Folder of gallery crops (searched recursively); --gallery is the old name.") var gallery: String
    @OptionGroup var modelOptions: ModelOptions
    @Option(help: "Gallery database to write.") var db: String
    @Option(help: "Images per model batch.") var batch: Int = FeatureExtractor.defaultBatchSize
    @OptionGroup var deviceOption: DeviceOption
    @OptionGroup var precisionOption: PrecisionOption
    @Option(help: "Images per database transaction.") var commitEvery: Int = 256
    @Flag(help: "Replace an existing database made with another model.") var force = false
    @Flag(help: "Print a JSON summary.") var json = false

    func validate() throws {
        guard modelOptions.isGiven else { throw ValidationError("give --model NAME (with --weights) or --run RUN_DIR") }
    }

    func run() throws {
        Runtime.configure()
        let started = Date()
        // Scan first: an empty or missing folder is an error that must leave no database behind.
        let items = try GalleryScanner.scan(gallery)
        let chosen = try modelOptions.resolve()
        let identity = try GalleryModelIdentity.fingerprint(model: chosen.spec, weights: chosen.weights,
                                                            height: chosen.size.height, width: chosen.size.width)
        if FileManager.default.fileExists(atPath: db), let old = try GalleryStore(path: db).identity() {
            do {
                try old.requireSameModel(as: identity, gallery: db)
            } catch {
                guard force else { throw ValidationError("\(error) Add --force to replace the gallery.") }
                for suffix in ["", "-wal", "-shm", ".faiss", ".faiss.json"] { try? FileManager.default.removeItem(atPath: db + suffix) }
            }
        }
        let store = try GalleryStore(path: db, create: true)
        if try store.identity() == nil { try store.setIdentity(identity) }
        let index = try GalleryIndex(store: store)
        let device = try deviceOption.resolve()
        let embedder = try GalleryEmbedder(identity: index.identity, device: device,
                                           precision: precisionOption.resolve(on: device))
        let (added, skipped) = try addImages(items, to: index, embedder: embedder, commitEvery: commitEvery,
                                             batch: batch, label: "index")
        try index.persist()
        let seconds = Date().timeIntervalSince(started)
        if json {
            try printJSON(["db": db, "added": added, "skipped": skipped, "items": index.count,
                           "dimension": index.identity.dimension, "seconds": seconds])
        } else {
            print(String(format: "indexed %d images (%d already present) → %@: %d items, %d-d %@ features, %.1f s",
                         added, skipped, db, index.count, index.identity.dimension, chosen.spec, seconds))
        }
    }
}

struct IndexAdd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add images to a gallery with the model it was built with.",
        discussion: "Paths already in the gallery are skipped, so re-running after an interruption completes the job.")

    @Option(help: "Gallery database.") var db: String
    @Option(help: "A folder of images to add (recursively).") var images: String?
    @Argument(help: "Image files to add.") var files: [String] = []
    @Option(help: "Images per model batch.") var batch: Int = FeatureExtractor.defaultBatchSize
    @OptionGroup var deviceOption: DeviceOption
    @OptionGroup var precisionOption: PrecisionOption
    @Option(help: "Images per database transaction.") var commitEvery: Int = 256
    @Flag(help: "Print a JSON summary.") var json = false

    func validate() throws {
        guard images != nil || !files.isEmpty else { throw ValidationError("give --images DIR or image files to add") }
        guard commitEvery > 0, batch > 0 else { throw ValidationError("--batch and --commit-every must be positive") }
    }

    func run() throws {
        Runtime.configure()
        let index = try GalleryIndex(store: GalleryStore(path: db))
        let device = try deviceOption.resolve()
        let embedder = try GalleryEmbedder(identity: index.identity, device: device,
                                           precision: precisionOption.resolve(on: device))
        var items = try images.map { try GalleryScanner.scan($0) } ?? []
        for file in files {
            guard FileManager.default.fileExists(atPath: file) else { throw ValidationError("\(file): no such image file") }
            items.append(GalleryScanner.describe(file))
        }
        let (added, skipped) = try addImages(items, to: index, embedder: embedder, commitEvery: commitEvery,
                                             batch: batch, label: "add")
        try index.persist()
        if json {
            try printJSON(["db": db, "added": added, "skipped": skipped, "items": index.count])
        } else {
            print("added \(added) images (\(skipped) already present); the gallery holds \(index.count)")
        }
    }
}

struct IndexRemove: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove", abstract: "Remove gallery items by id or by image path.")

    @Option(help: "Gallery database.") var db: String
    @Option(name: .customLong("id"), help: "An item id (repeatable).") var ids: [Int64] = []
    @Option(name: .customLong("path"), help: "An indexed image path (repeatable).") var paths: [String] = []
    @Flag(help: "Print a JSON summary.") var json = false

    func validate() throws {
        guard !ids.isEmpty || !paths.isEmpty else { throw ValidationError("give at least one --id or --path") }
    }

    func run() throws {
        let index = try GalleryIndex(store: GalleryStore(path: db))
        let absolute = paths.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        let byPath = try index.store.paths().intersection(absolute)
        let pathIDs = try lookup(index, Array(byPath))
        let removed = try index.remove(ids: ids + pathIDs)
        try index.persist()
        let missing = ids.filter { !removed.contains($0) }.map(String.init) + absolute.filter { !byPath.contains($0) }
        if json {
            try printJSON(["db": db, "removed": removed, "not_found": missing, "items": index.count])
        } else {
            print("removed \(removed.count) items; the gallery holds \(index.count)")
        }
        // The items that exist are removed; asking for one that does not is still a failure,
        // so that scripts notice a wrong id or path.
        if !missing.isEmpty {
            FileHandle.standardError.write(Data(("\(db): not found (nothing removed for them): "
                + missing.joined(separator: ", ") + "; list the gallery with `reid index stats`\n").utf8))
            throw ExitCode.failure
        }
    }

    func lookup(_ index: GalleryIndex, _ paths: [String]) throws -> [Int64] {
        let wanted = Set(paths)
        var ids: [Int64] = []
        _ = try index.store.forEachItem { item in if wanted.contains(item.path) { ids.append(item.id!) } }
        return ids
    }
}

struct IndexStats: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats", abstract: "Show what a gallery holds: items per camera, tracks, model, time range.")

    @Option(help: "Gallery database.") var db: String
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let store = try GalleryStore(path: db)
        guard let identity = try store.identity() else { throw ValidationError("\(db): has no model recorded; build it with `reid index build`") }
        let count = try store.count()
        let stats = try store.statistics()
        let malformed = try store.malformedRows(dimension: identity.dimension)
        let faissPath = db + ".faiss"
        let faissState: String
        if let data = FileManager.default.contents(atPath: db + ".faiss.json"),
           let sidecar = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
           (sidecar["revision"] as? Int).map(Int64.init) == (try store.revision()) {
            faissState = "current"
        } else {
            faissState = FileManager.default.fileExists(atPath: faissPath) ? "stale (rebuilt on next search)" : "missing (built on next search)"
        }
        if json {
            try printJSON([
                "db": db, "items": count, "model": identity.model, "weights": identity.weightsPath ?? NSNull(),
                "weights_sha256": identity.weightsSHA256, "dimension": identity.dimension,
                "input": "\(identity.height)x\(identity.width)",
                "cameras": Dictionary(uniqueKeysWithValues: stats.cameras.map { ("\($0.key)", $0.value) }),
                "tracks": stats.tracks, "first_time": stats.firstTime ?? NSNull(), "last_time": stats.lastTime ?? NSNull(),
                "malformed_rows": malformed, "faiss": faissState, "revision": try store.revision(),
            ])
        } else {
            print("\(db): \(count) items, \(identity.dimension)-d features of \(identity.model)")
            print("  weights  \(identity.weightsPath ?? "none")  sha256 \(identity.weightsSHA256.prefix(16))…")
            print("  input    \(identity.height)x\(identity.width)")
            print("  cameras  " + stats.cameras.sorted { $0.key < $1.key }.map { "cam \($0.key): \($0.value)" }.joined(separator: ", "))
            print("  tracks   \(stats.tracks)")
            if let a = stats.firstTime, let b = stats.lastTime {
                let f = ISO8601DateFormatter()
                print("  time     \(f.string(from: Date(timeIntervalSince1970: a))) … \(f.string(from: Date(timeIntervalSince1970: b)))")
            }
            print("  faiss    \(faissState)")
            if malformed > 0 { print("  WARNING  \(malformed) rows have a feature of the wrong length") }
        }
    }
}

struct IndexRebuild: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebuild", abstract: "Rebuild the faiss index file from the database.")

    @Option(help: "Gallery database.") var db: String

    func run() throws {
        let index = try GalleryIndex(store: GalleryStore(path: db), persist: false)
        try index.rebuild()
        print("rebuilt \(index.faissPath): \(index.count) vectors")
    }
}
