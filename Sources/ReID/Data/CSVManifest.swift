import Foundation

/// A CSV manifest for data in any folder structure: a header line naming the columns `path`,
/// `pid`, `camera` and `split` (any order; other columns are ignored), then one image per line:
///
///     path,pid,camera,split
///     cam_a/alice_001.jpg,7,0,train
///     /data/probe/bob.png,12,1,query
///
/// Relative paths are resolved against the CSV file's folder. `split` is train, query or
/// gallery. `camera` is a 0-based index as written (−1 = unknown). `pid` −1 means unknown: such
/// images stay in train (unlabeled, for unsupervised methods) and are dropped from query and
/// gallery, where they could not be scored. Fields may be quoted with "…" ("" inside for a quote).
///
/// Only `path` and one of `pid`/`camera` are required: a manifest of unlabeled crops from several
/// cameras is just `path,camera`. A missing `pid` column means every id is unknown (−1), a
/// missing `camera` column every camera, and a missing `split` column puts every image in train.
public struct CSVManifest: ReIDDataset {
    public let name = "CSV manifest"
    /// The CSV file.
    public let root: String
    public let train: [ImageRecord]
    public let query: [ImageRecord]
    public let gallery: [ImageRecord]
    public let issues: [DatasetIssue]

    static let columns = ["path", "pid", "camera", "split"]
    /// Values of the columns a manifest may leave out.
    static let defaults = ["pid": "-1", "camera": "-1", "split": "train"]

    /// `path` is the CSV file, or a folder holding exactly one CSV file with the manifest header.
    public init(path: String, options: DatasetOptions = DatasetOptions()) throws {
        let fm = FileManager.default
        var file = normalisedRoot(path)
        if fm.isFolder(file) {
            guard let found = Self.manifest(inFolder: file) else {
                throw ReIDError.data(path: file, reason: "is a folder without a CSV manifest: --format csv expects a .csv file "
                                     + "(or a folder holding one) whose header is \(Self.columns.joined(separator: ","))")
            }
            file = found
        }
        guard fm.fileExists(atPath: file) else { throw ReIDError.data(path: file, reason: "no such CSV file") }
        root = file
        let text: String
        do { text = try String(contentsOfFile: file, encoding: .utf8) } catch {
            throw ReIDError.data(path: file, reason: "cannot read the CSV file as UTF-8 text: \(error.localizedDescription)")
        }
        let folder = (file as NSString).deletingLastPathComponent
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated()
            .map { (number: $0.offset + 1, text: String($0.element)) }
            .filter { !$0.text.trimmingCharacters(in: .whitespaces).isEmpty }
        guard let headerLine = lines.first else {
            throw ReIDError.data(path: file, reason: "is empty; expected the header \(Self.columns.joined(separator: ",")) and one line per image")
        }
        lines.removeFirst()
        let header = try Self.fields(headerLine.text, at: "\(file):\(headerLine.number)")
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        var column: [String: Int] = [:]
        for name in Self.columns { column[name] = header.firstIndex(of: name) }
        guard column["path"] != nil, column["pid"] != nil || column["camera"] != nil else {
            throw ReIDError.data(path: file, reason: "header '\(headerLine.text)' lacks the column 'path' or both 'pid' and 'camera'; "
                                 + "the first line must name the columns \(Self.columns.joined(separator: ",")) "
                                 + "(pid, camera and split may be left out: path,camera lists unlabeled crops)")
        }
        func value(_ name: String, in values: [String]) -> String {
            column[name].map { values[$0] } ?? Self.defaults[name]!
        }

        var collector = SplitCollector(options: options)
        var found: [DatasetSplit: [ImageRecord]] = [:]
        for line in lines {
            let at = "\(file):\(line.number)"
            let values = try Self.fields(line.text, at: at).map { $0.trimmingCharacters(in: .whitespaces) }
            guard values.count >= header.count else {
                try collector.problem(DatasetIssue(.misnamed, path: at,
                    "has \(values.count) fields, the header \(header.count): expected path,pid,camera,split"))
                continue
            }
            let rawPath = value("path", in: values), rawSplit = value("split", in: values).lowercased()
            guard let pid = Int(value("pid", in: values)), let camera = Int(value("camera", in: values)), camera >= -1,
                  !rawPath.isEmpty else {
                try collector.problem(DatasetIssue(.misnamed, path: at,
                    "needs a path, an integer pid and a camera index ≥ 0 (−1 = unknown); found '\(line.text)'"))
                continue
            }
            guard let split = DatasetSplit(rawValue: rawSplit) else {
                try collector.problem(DatasetIssue(.misnamed, path: at, "split '\(rawSplit)' is not train, query or gallery"))
                continue
            }
            guard options.splits.contains(split) else { continue }
            let imagePath = joinPath(folder, rawPath)
            guard fm.fileExists(atPath: imagePath) else {
                try collector.problem(DatasetIssue(.unreadable, path: imagePath, "listed in \(at) but missing"))
                continue
            }
            found[split, default: []].append(ImageRecord(path: imagePath, pid: pid, camera: camera))
        }
        for split in DatasetSplit.allCases where options.splits.contains(split) {
            let records = found[split] ?? []
            // Without a split column the manifest is training data only: no query or gallery expected.
            if records.isEmpty && (options.optionalSplits.contains(split) || column["split"] == nil) {
                collector.note(path: file, "lists no \(split.rawValue) images; the \(split.rawValue) split is empty")
                continue
            }
            try collector.add(split, records, source: file + " (split=\(split.rawValue))", dropJunkInTrain: false)
        }
        train = collector.relabelledTrain()
        query = collector[.query]
        gallery = collector[.gallery]
        issues = collector.issues
    }

    /// The one CSV file in `folder` whose first line names the manifest columns, if any.
    static func manifest(inFolder folder: String) -> String? {
        let items = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        let csvs = items.filter { ($0 as NSString).pathExtension.lowercased() == "csv" }.sorted()
            .map { folder + "/" + $0 }.filter(hasManifestHeader)
        return csvs.count == 1 ? csvs[0] : nil
    }

    /// True when the file's first line names path and pid or camera (see `defaults`).
    static func hasManifestHeader(_ file: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: file) else { return false }
        defer { try? handle.close() }
        let head = String(decoding: handle.readData(ofLength: 4096), as: UTF8.self)
        guard let first = head.split(whereSeparator: \.isNewline).first,
              let names = try? fields(String(first), at: file) else { return false }
        let set = Set(names.map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
        return set.contains("path") && (set.contains("pid") || set.contains("camera"))
    }

    /// Splits one CSV line into fields, honouring "…" quotes with "" as an escaped quote.
    static func fields(_ line: String, at location: String) throws -> [String] {
        var fields: [String] = []
        var current = ""
        var quoted = false
        var chars = Array(line)
        if chars.last == "\r" { chars.removeLast() }
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if quoted {
                if c == "\"" {
                    if i + 1 < chars.count && chars[i + 1] == "\"" { current.append("\""); i += 1 } else { quoted = false }
                } else {
                    current.append(c)
                }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                fields.append(current)
                current = ""
            } else {
                current.append(c)
            }
            i += 1
        }
        guard !quoted else { throw ReIDError.data(path: location, reason: "has an unclosed quote") }
        fields.append(current)
        return fields
    }
}
