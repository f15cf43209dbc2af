import Foundation

/// MSMT17 as distributed (`MSMT17_V1`): list files `list_train.txt`, `list_val.txt`,
/// `list_query.txt` and `list_gallery.txt` whose lines are `relative/path.jpg pid`, next to the
/// image folders `train/` (train and val lists) and `test/` (query and gallery lists);
/// `MSMT17_V2` names them `mask_train_v2/` and `mask_test_v2/`. Paths look like
/// `0000/0000_000_01_0303morning_0015_0.jpg`: pid, sequence, camera (1…15), …
///
/// The list's pid is used as is (the training pids are already 0…1040); the camera comes from the
/// name. As in torchreid and fast-reid, `list_val.txt` is left out of training unless
/// `DatasetOptions.includeValidation` is set.
public struct MSMT17: ReIDDataset {
    public let name = "MSMT17"
    public let root: String
    public let train: [ImageRecord]
    public let query: [ImageRecord]
    public let gallery: [ImageRecord]
    public let issues: [DatasetIssue]

    static let listFiles = ["list_train.txt", "list_val.txt", "list_query.txt", "list_gallery.txt"]
    static let imageFolders = [("train", "test"), ("mask_train_v2", "mask_test_v2")]

    /// The folder that holds the list files: `root` itself, or its `MSMT17_V1/` / `MSMT17_V2/`.
    static func listFolder(_ root: String) -> String? {
        let fm = FileManager.default
        for candidate in [root, root + "/MSMT17_V1", root + "/MSMT17_V2"]
        where fm.fileExists(atPath: candidate + "/list_train.txt") || fm.fileExists(atPath: candidate + "/list_query.txt") {
            return candidate
        }
        return nil
    }

    public init(root: String, options: DatasetOptions = DatasetOptions()) throws {
        self.root = normalisedRoot(root)
        let fm = FileManager.default
        guard fm.isFolder(self.root) else { throw ReIDError.data(path: self.root, reason: "no such dataset folder") }
        guard let base = Self.listFolder(self.root) else {
            var reason = "is not in the MSMT17 layout (--format msmt17): expected list_train.txt, list_val.txt, "
                + "list_query.txt, list_gallery.txt and the folders train/ and test/ (or MSMT17_V1/ holding them); "
                + "found \(fm.shortListing(self.root))"
            if let guess = try? DatasetLayout.detect(self.root), guess != .msmt17 {
                reason += ". It looks like \(guess.displayName): try --format \(guess.format)"
            }
            throw ReIDError.data(path: self.root, reason: reason)
        }
        guard let (trainDir, testDir) = Self.imageFolders.first(where: { fm.isFolder(base + "/" + $0.0) || fm.isFolder(base + "/" + $0.1) })
        else {
            throw ReIDError.data(path: base, reason: "has the MSMT17 list files but no image folders: expected train/ and test/ "
                                 + "(MSMT17_V1) or mask_train_v2/ and mask_test_v2/ (MSMT17_V2)")
        }

        var collector = SplitCollector(options: options)
        var lists: [(DatasetSplit, String, String)] = [(.train, "list_train.txt", trainDir)]
        if options.includeValidation { lists.append((.train, "list_val.txt", trainDir)) }
        lists += [(.query, "list_query.txt", testDir), (.gallery, "list_gallery.txt", testDir)]
        var found: [DatasetSplit: [ImageRecord]] = [:]
        var sources: [DatasetSplit: String] = [:]
        for (split, listName, imageDir) in lists where options.splits.contains(split) {
            let listPath = base + "/" + listName
            guard fm.fileExists(atPath: listPath) else {
                let message = "has no \(listName) for the \(split.rawValue) split (MSMT17 needs "
                    + Self.listFiles.joined(separator: ", ") + ")"
                if options.optionalSplits.contains(split) && !(split == .train && listName == "list_val.txt") {
                    collector.note(path: base, message + "; the \(split.rawValue) split is empty")
                    continue
                }
                throw ReIDError.data(path: base, reason: message)
            }
            sources[split] = sources[split].map { $0 + " + " + listName } ?? listPath
            found[split, default: []] += try Self.readList(listPath, imageFolder: base + "/" + imageDir, collector: &collector)
        }
        for split in DatasetSplit.allCases where sources[split] != nil {
            try collector.add(split, found[split] ?? [], source: sources[split]!)
        }
        train = collector.relabelledTrain()
        query = collector[.query]
        gallery = collector[.gallery]
        issues = collector.issues
    }

    /// Reads one list file; paths are relative to `imageFolder`.
    static func readList(_ listPath: String, imageFolder: String, collector: inout SplitCollector) throws -> [ImageRecord] {
        let text: String
        do { text = try String(contentsOfFile: listPath, encoding: .utf8) } catch {
            throw ReIDError.data(path: listPath, reason: "cannot read the list file: \(error.localizedDescription)")
        }
        let fm = FileManager.default
        var records: [ImageRecord] = []
        for (index, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if fields.isEmpty { continue }
            let at = "\(listPath):\(index + 1)"
            guard fields.count == 2, let pid = Int(fields[1]) else {
                try collector.problem(DatasetIssue(.misnamed, path: at,
                    "expected a line 'relative/path.jpg pid', found '\(line)'"))
                continue
            }
            let relative = String(fields[0])
            guard let camera = MSMT17Naming.camera(relative) else {
                try collector.problem(DatasetIssue(.misnamed, path: at,
                    "name '\(relative)' does not follow MSMT17's {pid}_{seq}_{camera}_… (e.g. 0000_000_01_0303morning_0015_0.jpg)"))
                continue
            }
            let path = joinPath(imageFolder, relative)
            guard fm.fileExists(atPath: path) else {
                try collector.problem(DatasetIssue(.unreadable, path: path, "listed in \(at) but missing"))
                continue
            }
            records.append(ImageRecord(path: path, pid: pid, camera: camera))
        }
        return records
    }
}
