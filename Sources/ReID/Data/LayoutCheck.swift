import Foundation

/// Layout mistakes that load without an error but would train or evaluate on the wrong thing,
/// found by `reid dataset inspect`:
/// - split folders no layout here reads (`train/`, `query/`, `gallery/`, `test/`), which the
///   detection then takes for one unlabeled folder;
/// - a Market-1501 split that is empty while a folder with a similar name beside it holds images
///   (`bounding_box_test/` empty, `bounding_box_test_full/` full);
/// - a flat folder of Market-1501 named files, read as unlabeled (a note: that may be intended).
public enum LayoutCheck {
    /// Top-level folder names that look like split folders but are not Market-1501's.
    static let trainLookalikes: Set<String> = ["train", "training", "trainset", "train_set"]
    static let evalLookalikes: Set<String> = ["query", "queries", "gallery", "test", "testset", "test_set", "val"]

    public static func issues(root: String, layout: DatasetLayout, detected: Bool) -> [DatasetIssue] {
        let root = normalisedRoot(root)
        let fm = FileManager.default
        guard fm.isFolder(root), let entries = try? fm.contentsOfDirectory(atPath: root) else { return [] }
        let folders = entries.filter { fm.isFolder(root + "/" + $0) }
        var issues: [DatasetIssue] = []
        switch layout {
        case .folder where detected:
            let lower = Set(folders.map { $0.lowercased() })
            let train = folders.filter { trainLookalikes.contains($0.lowercased()) }
            let evaluation = folders.filter { evalLookalikes.contains($0.lowercased()) }
            if !lower.isDisjoint(with: trainLookalikes.union(evalLookalikes)) && (!train.isEmpty && !evaluation.isEmpty
                || evaluation.count >= 2) {
                let named = (train + evaluation).sorted().map { $0 + "/" }.joined(separator: ", ")
                issues.append(DatasetIssue(.layout, path: root,
                    "holds \(named), split folders no layout here reads, so all of it would be read as ONE unlabeled "
                    + "folder. For labelled data rename them to Market-1501's bounding_box_train/, query/ and "
                    + "bounding_box_test/ (file names {pid}_c{cam}s1_{frame}_00.jpg), or write a CSV manifest "
                    + "(path,pid,camera,split); to train on all of it without labels, pass --format folder"))
            }
            let flat = entries.filter { ImageFolder.extensions.contains(($0 as NSString).pathExtension.lowercased()) }
            let marketNamed = flat.filter { MarketNaming.parse($0) != nil }
            if !flat.isEmpty && marketNamed.count * 2 >= flat.count {
                issues.append(DatasetIssue(.note, path: root,
                    "a flat folder of \(marketNamed.count) Market-1501 named files: read as unlabeled training images "
                    + "(the ids in the names are not used). To use them, move them into bounding_box_train/ "
                    + "(training) or query/ and bounding_box_test/ (evaluation)"))
            }
        case .market, .duke:
            for split in DatasetSplit.allCases {
                let folder = root + "/" + split.folder
                let images = (try? ImageFolder.list(folder))?.count ?? 0
                guard images == 0 else { continue }
                let key = split == .train ? "train" : split == .query ? "query" : "test"
                let similar = folders.filter { name in
                    name != split.folder && (name.lowercased().contains(key) || (split == .gallery && name.lowercased().contains("gallery")))
                        && ((try? ImageFolder.list(root + "/" + name, recursive: true))?.isEmpty == false)
                }
                guard !similar.isEmpty else { continue }
                issues.append(DatasetIssue(.layout, path: folder,
                    "is \(fm.isFolder(folder) ? "empty" : "missing") while \(similar.sorted().map { $0 + "/" }.joined(separator: ", ")) "
                    + "beside it holds images; the \(split.rawValue) split is read only from \(split.folder)/, so move or "
                    + "rename the images there"))
            }
        default:
            break
        }
        return issues
    }
}
