import Foundation

/// Prints a JSON object on standard output (sorted keys, one object per call).
func printJSON(_ object: [String: Any]) throws {
    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])
    print(String(decoding: data, as: UTF8.self))
}

/// A size option like "256x128" (height x width) for a person crop: upright (height ≥ width),
/// height 32…1024 and width 16…512. `parse` says what is wrong and the form expected; a swapped
/// 128x256 would otherwise train and extract on squashed people without a word.
struct ImageSize: ExpressibleByArgument, CustomStringConvertible {
    var height: Int
    var width: Int
    init?(argument: String) {
        guard let size = try? Self.parse(argument) else { return nil }
        self = size
    }
    init(height: Int, width: Int) {
        self.height = height
        self.width = width
    }

    static func parse(_ argument: String) throws -> ImageSize {
        let form = "write HEIGHTxWIDTH for an upright person crop, e.g. 256x128 (height 32…1024, width 16…512, height ≥ width)"
        let parts = argument.lowercased().split(separator: "x", omittingEmptySubsequences: false).map { Int($0) }
        guard parts.count == 2, let height = parts[0], let width = parts[1] else {
            throw ValidationError("--size '\(argument)' is not a size; \(form)")
        }
        guard (32...1024).contains(height), (16...512).contains(width) else {
            throw ValidationError("--size \(argument) is outside the sizes re-ID models take; \(form)")
        }
        guard width <= height else {
            throw ValidationError("--size \(argument) is wider than tall; sizes are HEIGHTxWIDTH, so a person crop is e.g. \(width)x\(height)")
        }
        return ImageSize(height: height, width: width)
    }
    var description: String { "\(height)x\(width)" }
}

import ArgumentParser
