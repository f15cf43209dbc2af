import Foundation

/// The format `torch.save` wrote before torch 1.6 (and still writes with
/// `_use_new_zipfile_serialization=False`): pickles in a row, then raw storages.
///
/// 1. the magic number 0x1950a86a20f9469cfc6c,
/// 2. the protocol version 1001,
/// 3. sys_info, a dict of the writer's byte order and C type sizes (torch's loader ignores it,
///    and so does this one: the storages are little-endian whoever wrote them),
/// 4. the object, with storages as persistent ids (`TorchStorageID`),
/// 5. the list of storage keys,
/// 6. the storages, in the order of that list (`LegacyStorageTable`).
///
/// Storages come after the object that uses them, so the object is run twice: once to find
/// where it ends and which storages it uses, then with tensors built from the file's bytes.
/// The file is memory-mapped; opening it reads only the header pickles.
struct LegacyPthFile {
    /// The magic number's bytes as pickled: a LONG1 of 10 little-endian bytes.
    static let magic: [UInt8] = [0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19]
    static let protocolVersion = 1001

    let path: String
    private let file: MappedFile
    /// Where the object's pickle starts, after the three header pickles.
    private let objectStart: Int

    /// Reads and checks the header of a file that starts like a pickle (see `PthContainer`).
    init(file: MappedFile) throws {
        self.file = file
        path = file.path
        let bytes = file.bytes
        func fail(_ reason: String) -> TorchError { Self.failure(file.path, reason) }
        var end = 0
        let magic = try Self.unpickle(bytes, at: &end, "the magic number", path: path)
        guard case .object(let number) = magic, number.type == "builtins.int",
            case .bytes(let digits)? = number.args.first, Array(digits) == Self.magic
        else {
            throw TorchError.file(path: path, reason: "a pickle, but it does not start with torch.save's magic "
                + "number (found \(magic)), so not a PyTorch checkpoint; load it with Python's pickle instead")
        }
        let version = try Self.unpickle(bytes, at: &end, "the protocol version", path: path)
        guard version.int == Self.protocolVersion else {
            throw fail("protocol version \(version), not \(Self.protocolVersion); the file is corrupt or from an "
                + "unknown torch version, re-save it with torch.save(obj, path) in a current torch")
        }
        let sysInfo = try Self.unpickle(bytes, at: &end, "sys_info", path: path)
        guard sysInfo.pairs != nil else { throw fail("sys_info is a \(sysInfo.typeName), not a dict; the file is corrupt") }
        objectStart = end
    }

    /// Runs the object's pickle, with tensors rebuilt from the storages after it.
    func readObject() throws -> PickleValue {
        let bytes = file.bytes
        // Pass 1: where the object ends, and which storages it uses (tensors stay opaque).
        var uses: [String: LegacyStorageTable.Use] = [:]
        var end = objectStart
        _ = try Self.unpickle(bytes, at: &end, "the pickled object", path: path) { pid in
            if let fields = pid.elements, fields.first?.string == "module" { return .none }
            let id = try TorchStorageID(pid)
            if uses[id.key] == nil {
                let size = TorchStorageType.elementSize(module: id.typeModule, name: id.typeName)
                uses[id.key] = .init(type: id.typeDescription, elementSize: size, numel: id.numel)
            }
            return .none
        }
        let list = try Self.unpickle(bytes, at: &end, "the storage key list", path: path)
        let keys = (list.elements ?? []).compactMap(TorchStorageID.key)
        guard let count = list.elements?.count, keys.count == count else {
            throw Self.failure(path, "the storage key list is a \(list.typeName) (\(list)), not a list of keys; "
                + "the file is corrupt")
        }
        let table = try LegacyStorageTable(path: path, bytes: bytes, keys: keys, start: end, uses: uses)
        // Pass 2: the object itself.
        let hooks = TorchPickleHooks(source: table, bigEndian: false)
        var again = objectStart
        return try Self.unpickle(bytes, at: &again, "the pickled object", path: path,
                                 persistentLoad: hooks.persistentLoad, call: hooks.call)
    }

    /// Runs the pickle at `offset`, moving it past the STOP opcode.
    private static func unpickle(_ bytes: UnsafeRawBufferPointer, at offset: inout Int, _ what: String, path: String,
                                 persistentLoad: Unpickler.PersistentLoad? = nil,
                                 call: Unpickler.Call? = nil) throws -> PickleValue {
        do {
            let (value, end) = try Unpickler.load(bytes, at: offset, persistentLoad: persistentLoad, call: call)
            offset = end
            return value
        } catch let error as PickleError {
            throw failure(path, "\(what): \(error); the file is truncated or corrupt, re-download it")
        }
    }

    /// An error naming the file and its format.
    static func failure(_ path: String, _ reason: String) -> TorchError {
        .file(path: path, reason: "legacy (torch < 1.6) PyTorch file: " + reason)
    }
}
