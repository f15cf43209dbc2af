import Foundation

/// The on-disk layouts SwiftReID reads, by their `--format` names, and detection of the layout of
/// a folder.
public enum DatasetLayout: String, CaseIterable, Sendable, Codable {
    case market
    case duke
    case msmt17
    case cuhk03Labeled = "cuhk03-labeled"
    case cuhk03Detected = "cuhk03-detected"
    case csv
    case folder

    /// The `--format` name.
    public var format: String { rawValue }

    public var displayName: String {
        switch self {
        case .market: return "Market-1501"
        case .duke: return "DukeMTMC-reID"
        case .msmt17: return "MSMT17"
        case .cuhk03Labeled: return "CUHK03-NP (labeled)"
        case .cuhk03Detected: return "CUHK03-NP (detected)"
        case .csv: return "a CSV manifest"
        case .folder: return "an unlabeled image folder"
        }
    }

    /// One line per layout, for help texts.
    public static let summary = """
          market           Market-1501: bounding_box_train/, query/, bounding_box_test/
                           with names {pid}_c{cam}s{seq}_{frame}_{box}.jpg
          duke             DukeMTMC-reID: same folders, names {pid}_c{cam}_f{frame}.jpg
          msmt17           MSMT17: list_{train,val,query,gallery}.txt ("path pid"
                           lines) next to train/ and test/
          cuhk03-labeled   CUHK03-NP: labeled/ in the Market-1501 layout
          cuhk03-detected  CUHK03-NP: detected/ in the Market-1501 layout
          csv              a .csv file whose header is path,pid,camera,split
          folder           any folder of images (searched recursively), unlabeled
        """

    /// Parses a `--format` value; the error lists the known names.
    public init(format: String) throws {
        let key = format.lowercased().replacingOccurrences(of: "_", with: "-")
        let aliases: [String: DatasetLayout] = [
            "market1501": .market, "market-1501": .market, "dukemtmc": .duke, "dukemtmc-reid": .duke,
            "msmt": .msmt17, "cuhk03": .cuhk03Labeled, "cuhk03-np": .cuhk03Labeled, "unlabeled": .folder,
        ]
        guard let layout = DatasetLayout(rawValue: key) ?? aliases[key] else {
            throw ReIDError.invalidOption("unknown dataset format '\(format)'; use one of "
                                          + DatasetLayout.allCases.map(\.format).joined(separator: ", "))
        }
        self = layout
    }

    /// Reads the dataset at `root` in this layout.
    public func load(_ root: String, options: DatasetOptions = DatasetOptions()) throws -> any ReIDDataset {
        switch self {
        case .market: return try Market1501(root: root, options: options)
        case .duke: return try DukeMTMCReID(root: root, options: options)
        case .msmt17: return try MSMT17(root: root, options: options)
        case .cuhk03Labeled: return try CUHK03NP(root: root, variant: .labeled, options: options)
        case .cuhk03Detected: return try CUHK03NP(root: root, variant: .detected, options: options)
        case .csv: return try CSVManifest(path: root, options: options)
        case .folder: return try UnlabeledFolder(root: root, options: options)
        }
    }

    /// Reads the dataset at `root` in `format`, or in the detected layout when `format` is nil.
    public static func load(_ root: String, format: DatasetLayout? = nil,
                            options: DatasetOptions = DatasetOptions()) throws -> any ReIDDataset {
        try (format ?? detect(root)).load(root, options: options)
    }

    /// Guesses the layout of `root`, in this order: a `.csv` file → csv; MSMT17 list files (in
    /// `root` or its `MSMT17_V1/`) → msmt17; `labeled/` or `detected/` → CUHK03-NP (labeled when
    /// both exist); any of the Market-1501 folders → market or duke by the first file name; a
    /// folder holding one manifest CSV → csv; any image below `root` → folder. The error for
    /// anything else lists what was found and what each layout expects.
    public static func detect(_ root: String) throws -> DatasetLayout {
        let root = normalisedRoot(root)
        let fm = FileManager.default
        guard fm.fileExists(atPath: root) else { throw ReIDError.data(path: root, reason: "no such dataset folder or file") }
        if !fm.isFolder(root) {
            if (root as NSString).pathExtension.lowercased() == "csv" { return .csv }
            throw ReIDError.data(path: root, reason: "is a file, not a dataset: give a dataset folder or a .csv manifest")
        }
        if MSMT17.listFolder(root) != nil { return .msmt17 }
        if fm.isFolder(root + "/labeled") && hasMarketFolders(root + "/labeled") { return .cuhk03Labeled }
        if fm.isFolder(root + "/detected") && hasMarketFolders(root + "/detected") { return .cuhk03Detected }
        if hasMarketFolders(root) {
            for split in DatasetSplit.allCases {
                let folder = root + "/" + split.folder
                guard let items = try? fm.contentsOfDirectory(atPath: folder) else { continue }
                let images = items.filter { ImageFolder.extensions.contains(($0 as NSString).pathExtension.lowercased()) }.sorted()
                if images.contains(where: MarketNaming.isDukeName) && !images.contains(where: MarketNaming.isMarketName) {
                    return .duke
                }
                if !images.isEmpty { return .market }
            }
            return .market
        }
        if CSVManifest.manifest(inFolder: root) != nil { return .csv }
        if containsImage(root) { return .folder }
        throw ReIDError.data(path: root, reason: "is not a dataset this tool recognises; found \(fm.shortListing(root)). "
                             + "Expected one of (pick with --format):\n" + summary)
    }

    static func hasMarketFolders(_ root: String) -> Bool {
        DatasetSplit.allCases.contains { FileManager.default.isFolder(root + "/" + $0.folder) }
    }

    static func containsImage(_ root: String) -> Bool {
        guard let walker = FileManager.default.enumerator(atPath: root) else { return false }
        while let item = walker.nextObject() as? String {
            if ImageFolder.extensions.contains((item as NSString).pathExtension.lowercased()) { return true }
        }
        return false
    }
}
