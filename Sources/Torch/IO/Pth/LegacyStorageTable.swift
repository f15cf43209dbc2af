/// Where each storage lies in a legacy `torch.save` file. After the pickles come the storages,
/// one block per key of the pickled key list, in that order: an 8-byte element count, then the
/// elements. Both are little-endian whatever the writer's byte order (torch converts on
/// big-endian machines, and its loader ignores sys_info's `little_endian`).
///
/// Every block is checked against the bytes left in the file before anything is allocated,
/// so a damaged or lying count is an error, never a huge allocation or a read past the end.
struct LegacyStorageTable {
    /// What the pickled object says about a storage it uses.
    struct Use {
        /// e.g. `torch.FloatStorage`, for messages.
        let type: String
        /// Bytes per element; nil for a storage class whose element size is unknown.
        let elementSize: Int?
        let numel: Int
    }

    struct Block {
        /// Offset of the first element in the file.
        let offset: Int
        let numel: Int
        let elementSize: Int
    }

    let path: String
    /// The whole file.
    let bytes: UnsafeRawBufferPointer
    let blocks: [String: Block]

    /// Walks the blocks from `start`, for `keys` in order; `uses` comes from the object's
    /// persistent ids. Throws `TorchError.file` naming the key and byte offset at fault.
    init(path: String, bytes: UnsafeRawBufferPointer, keys: [String], start: Int, uses: [String: Use]) throws {
        self.path = path
        self.bytes = bytes
        func fail(_ reason: String) -> TorchError { LegacyPthFile.failure(path, reason) }
        var cursor = ByteCursor(bytes, at: start)
        var blocks: [String: Block] = [:]
        for key in keys {
            let at = cursor.offset
            guard blocks[key] == nil else { throw fail("storage '\(key)' is listed twice in the storage key list") }
            guard let use = uses[key] else {
                throw fail("the storage key list names '\(key)', which the pickled object never uses; the file is corrupt")
            }
            guard let elementSize = use.elementSize else {
                throw fail("storage '\(key)' is a \(use.type), whose element size this reader does not know, "
                    + "so the storages after it cannot be found; load the file in Python and save it again "
                    + "without that tensor")
            }
            guard let count = cursor.uint64() else {
                throw fail("the file ends at byte \(bytes.count) where storage '\(key)' should start (byte \(at)); "
                    + "the file is truncated, re-download it")
            }
            let (size, overflow) = Int(clamping: count).multipliedReportingOverflow(by: elementSize)
            guard count <= UInt64(Int.max), !overflow, size <= cursor.remaining else {
                throw fail("storage '\(key)' at byte \(at) claims \(count) elements of \(elementSize) bytes but only "
                    + "\(cursor.remaining) bytes are left in the file; the file is truncated or corrupt, re-download it")
            }
            guard Int(count) == use.numel else {
                throw fail("storage '\(key)' at byte \(at) holds \(count) elements but the pickled object says "
                    + "\(use.numel); the file is corrupt")
            }
            blocks[key] = Block(offset: cursor.offset, numel: Int(count), elementSize: elementSize)
            cursor.offset += size
        }
        self.blocks = blocks
    }
}

extension LegacyStorageTable: TorchStorageSource {
    func storageBytes(key: String, dtype: DType, numel: Int) throws -> UnsafeRawBufferPointer {
        guard let block = blocks[key] else {
            throw PickleError("storage '\(key)' is not in the file's storage key list")
        }
        guard block.elementSize == dtype.byteSize, block.numel == numel else {
            throw PickleError("storage '\(key)' is used as \(numel) \(dtype) elements but the file stores "
                + "\(block.numel) elements of \(block.elementSize) bytes")
        }
        return UnsafeRawBufferPointer(rebasing: bytes[block.offset..<(block.offset + numel * block.elementSize)])
    }
}
