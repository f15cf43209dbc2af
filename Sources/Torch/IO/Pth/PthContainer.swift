import Foundation

/// A PyTorch checkpoint in one of the layouts `torch.save` has written, told apart by its
/// first bytes: the zip archive of torch ≥ 1.6 (`PthArchive`) or the pickles in a row of older
/// torch (`LegacyPthFile`). The still older tar layout is refused with advice.
enum PthContainer {
    case zip(PthArchive)
    case legacy(LegacyPthFile)

    private static let resave = "load it in Python and re-save it with torch.save(obj, path)"

    init(path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw TorchError.file(path: path, reason: "no such file")
        }
        let file = try MappedFile(path: path)
        let bytes = file.bytes
        if bytes.count >= 4, Array(bytes.prefix(4)) == [0x50, 0x4B, 0x03, 0x04] {
            self = .zip(try PthArchive(file: file))
        } else if bytes.count >= 2, bytes[0] == 0x80, bytes[1] <= 5 {
            // A pickle (PROTO opcode): LegacyPthFile checks for torch's magic number.
            self = .legacy(try LegacyPthFile(file: file))
        } else {
            throw TorchError.file(path: path, reason: Self.unrecognised(bytes))
        }
    }

    func readObject() throws -> PickleValue {
        switch self {
        case .zip(let archive): return try archive.readObject()
        case .legacy(let file): return try file.readObject()
        }
    }

    /// A TorchScript module (torch.jit.save) rather than a torch.save'd object.
    var isTorchScript: Bool {
        if case .zip(let archive) = self { return archive.isTorchScript }
        return false
    }

    /// Why a file that is neither a zip archive nor a pickle is not readable, and what to do.
    private static func unrecognised(_ bytes: UnsafeRawBufferPointer) -> String {
        if bytes.isEmpty { return "empty file, not a PyTorch checkpoint" }
        if bytes.count >= 262, Array(bytes[257..<262]) == Array("ustar".utf8) {
            return "a tar-format PyTorch file (the oldest torch.save layout), which this reader does not read; " + resave
        }
        let shown = bytes.prefix(4).map { String(format: "%02x", $0) }.joined(separator: " ")
        return "not a PyTorch file: neither a zip archive nor a legacy torch.save pickle (it starts with bytes "
            + "\(shown)); if it is a checkpoint, " + resave
    }
}
