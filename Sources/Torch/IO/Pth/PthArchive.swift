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

    /// Opens a file that starts like a zip archive (see `PthContainer`).
    init(file: MappedFile) throws {
        path = file.path
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
        let hooks = TorchPickleHooks(source: self, bigEndian: bigEndian)
        let unpickler = Unpickler(bytes, persistentLoad: hooks.persistentLoad, call: hooks.call)
        do {
            return try unpickler.load()
        } catch let error as PickleError {
            throw TorchError.file(path: path, reason: "\(pickleName): \(error)")
        }
    }
}

extension PthArchive: TorchStorageSource {
    /// The entry `<prefix>/data/<key>`, which must hold at least `numel` elements.
    func storageBytes(key: String, dtype: DType, numel: Int) throws -> UnsafeRawBufferPointer {
        let name = prefix.isEmpty ? "data/\(key)" : "\(prefix)/data/\(key)"
        guard let entry = archive.entry(named: name) else {
            throw PickleError("storage '\(key)' has no entry '\(name)' in the archive")
        }
        // The bytes in the file, not the directory's `size`, which a damaged archive may overstate.
        let bytes = try archive.bytes(of: entry)
        let (needed, overflow) = numel.multipliedReportingOverflow(by: dtype.byteSize)
        guard !overflow, needed <= bytes.count else {
            throw PickleError("storage '\(key)' should hold \(numel) \(dtype) elements but entry '\(name)' "
                + "has only \(bytes.count) bytes")
        }
        return UnsafeRawBufferPointer(rebasing: bytes[0..<needed])
    }
}
