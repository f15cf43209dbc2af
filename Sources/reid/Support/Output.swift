import Foundation

/// Prints a JSON object on standard output (sorted keys, one object per call).
func printJSON(_ object: [String: Any]) throws {
    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])
    print(String(decoding: data, as: UTF8.self))
}

/// A size option like "256x128" (height x width).
struct ImageSize: ExpressibleByArgument, CustomStringConvertible {
    var height: Int
    var width: Int
    init?(argument: String) {
        let parts = argument.lowercased().split(separator: "x").compactMap { Int($0) }
        guard parts.count == 2, parts.allSatisfy({ $0 > 0 }) else { return nil }
        height = parts[0]
        width = parts[1]
    }
    init(height: Int, width: Int) {
        self.height = height
        self.width = width
    }
    var description: String { "\(height)x\(width)" }
}

import ArgumentParser
