import Foundation

/// The zip layout `torch.save` (and libtorch's `pickle_save`) writes:
/// `<prefix>/data.pkl` (the pickled object), `<prefix>/data/<key>` (raw storages),
/// `<prefix>/version`, and for big-endian writers `<prefix>/byteorder`.
struct PthArchive {
    let path: String
    let archive: ZipArchive
    /// The archive's top folder ("archive", or the file's stem in older torch); may be empty.
    let prefix: String
    let bigEndian: Bool
    /// A TorchScript module (torch.jit.save) rather than a torch.save'd object.
    let isTorchScript: Bool

    private static let resave = "files from torch < 1.6 must be re-saved with "
        + "torch.save(obj, path, _use_new_zipfile_serialization=True)"

    init(path: String) throws {
        self.path = path
        guard FileManager.default.fileExists(atPath: path) else {
            throw TorchError.file(path: path, reason: "no such file")
        }
        let file = try MappedFile(path: path)
        let head = Array(file.bytes.prefix(4))
        guard head == [0x50, 0x4B, 0x03, 0x04] else {
            throw TorchError.file(path: path, reason: Self.notZip(file.bytes))
        }
        do {
            archive = try ZipArchive(file: file)
        } catch TorchError.file(_, let reason) {
            throw TorchError.file(path: path, reason: reason + "; re-download or re-save the file")
        }
        let pickles = archive.entries.map(\.name).filter { $0 == "data.pkl" || $0.hasSuffix("/data.pkl") }
        guard let pickle = pickles.min(by: { $0.count < $1.count }) else {
            throw TorchError.file(path: path, reason: "a zip archive without data.pkl, so not a PyTorch file "
                + "written by torch.save")
        }
        prefix = String(pickle.dropLast("data.pkl".count)).trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        let folder = prefix.isEmpty ? "" : prefix + "/"
        isTorchScript = archive.entry(named: folder + "constants.pkl") != nil
        if let order = archive.entry(named: folder + "byteorder") {
            let text = String(decoding: try archive.data(of: order), as: UTF8.self)
            guard text == "little" || text == "big" else {
                throw TorchError.file(path: path, reason: "unknown byte order '\(text)' in \(folder)byteorder")
            }
            bigEndian = text == "big"
        } else {
            bigEndian = false
        }
    }

    /// The entry holding the pickle.
    var pickleName: String { prefix.isEmpty ? "data.pkl" : prefix + "/data.pkl" }

    /// Runs data.pkl, with tensors rebuilt from the archive's storages.
    func readObject() throws -> PickleValue {
        guard let entry = archive.entry(named: pickleName) else {
            throw TorchError.file(path: path, reason: "no \(pickleName) in the archive")
        }
        let bytes: [UInt8]
        do {
            bytes = try archive.withBytes(of: entry) { [UInt8]($0) }
        } catch TorchError.file(_, let reason) {
            throw TorchError.file(path: path, reason: reason)
        }
        guard bytes.withUnsafeBytes({ CRC32.checksum($0) }) == entry.crc32 else {
            throw TorchError.file(path: path, reason: "\(pickleName) fails its CRC-32 check; the file is corrupt, "
                + "re-download or re-save it")
        }
        let hooks = TorchPickleHooks(archive: archive, prefix: prefix, bigEndian: bigEndian)
        let unpickler = Unpickler(bytes, persistentLoad: hooks.persistentLoad, call: hooks.call)
        do {
            return try unpickler.load()
        } catch let error as PickleError {
            throw TorchError.file(path: path, reason: "\(pickleName): \(error)")
        }
    }

    /// Why a file that does not start like a zip archive is not readable, and what to do.
    private static func notZip(_ bytes: UnsafeRawBufferPointer) -> String {
        if bytes.isEmpty { return "empty file, not a PyTorch checkpoint" }
        if bytes.count >= 2, bytes[0] == 0x80, bytes[1] <= 5 {
            return "a legacy (non-zip) PyTorch file, a bare pickle; " + resave
        }
        if bytes.count >= 262, Array(bytes[257..<262]) == Array("ustar".utf8) {
            return "a legacy tar-format PyTorch file; " + resave
        }
        let shown = bytes.prefix(4).map { String(format: "%02x", $0) }.joined(separator: " ")
        return "not a zip-format PyTorch file (it starts with bytes \(shown)); " + resave
    }
}
