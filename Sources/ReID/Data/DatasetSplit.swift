import Foundation

/// The three parts of a re-ID benchmark: images to learn from, images to search with, and the
/// images searched.
public enum DatasetSplit: String, CaseIterable, Sendable, Codable, Comparable {
    case train, query, gallery

    /// The folder that holds the split in the Market-1501 layout.
    public var folder: String {
        switch self {
        case .train: return "bounding_box_train"
        case .query: return "query"
        case .gallery: return "bounding_box_test"
        }
    }

    /// Stored in feature files as the `split` tensor: 0 train, 1 query, 2 gallery.
    public var code: Int { DatasetSplit.allCases.firstIndex(of: self)! }

    public static func < (a: DatasetSplit, b: DatasetSplit) -> Bool { a.code < b.code }

    /// Parses a comma-separated list such as "query,gallery" (order kept, duplicates dropped).
    public static func parseList(_ text: String) throws -> [DatasetSplit] {
        var result: [DatasetSplit] = []
        for part in text.split(separator: ",") {
            let name = part.trimmingCharacters(in: .whitespaces)
            guard let split = DatasetSplit(rawValue: name) else {
                throw ReIDError.invalidOption("unknown split '\(name)'; use train, query or gallery (comma-separated)")
            }
            if !result.contains(split) { result.append(split) }
        }
        guard !result.isEmpty else { throw ReIDError.invalidOption("no split given; use train, query or gallery") }
        return result
    }
}
