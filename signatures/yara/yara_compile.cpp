// compileRules: libyara's compiler with bundle-only includes and located diagnostics.

#include <stdio.h>

#include <cstring>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "platform/memory.h"
#include "signatures/yara/include_resolver.h"
#include "signatures/yara/yara_impl.h"

namespace xiaoan::sig {
namespace {

struct CompilerDeleter {
  void operator()(YR_COMPILER* c) const { yr_compiler_destroy(c); }
};
using CompilerPtr = std::unique_ptr<YR_COMPILER, CompilerDeleter>;

// State shared with libyara's callbacks during one compile.
struct CompileContext {
  const std::vector<RuleSource>* sources = nullptr;
  std::unordered_map<std::string, size_t> by_name;
  YR_COMPILER* compiler = nullptr;
  // Bundle name of the file at each libyara include depth. libyara names an included file by
  // the text of its include directive, so the depth (file_name_stack_ptr) is what maps a
  // diagnostic back to the bundle file.
  std::vector<std::string> stack;
  std::string include_failure;               // why the last include was refused
  std::unordered_set<std::string> compiled;  // files handed to libyara so far
  std::vector<CompileDiagnostic>* diagnostics = nullptr;
  size_t errors = 0;
};

std::string currentBundleFile(const CompileContext& ctx) {
  size_t depth = static_cast<size_t>(ctx.compiler->file_name_stack_ptr);
  if (depth == 0 || depth > ctx.stack.size()) return {};
  return ctx.stack[depth - 1];
}

const char* includeCallback(const char* include_name, const char*, const char*, void* user) {
  auto& ctx = *static_cast<CompileContext*>(user);
  size_t depth = static_cast<size_t>(ctx.compiler->file_name_stack_ptr);
  ctx.stack.resize(depth);
  std::string caller = depth > 0 ? ctx.stack[depth - 1] : std::string();
  auto resolved = resolveIncludeName(caller, include_name);
  if (!resolved.isOk()) {
    ctx.include_failure = resolved.status().message();
    return nullptr;
  }
  auto it = ctx.by_name.find(*resolved);
  if (it == ctx.by_name.end()) {
    ctx.include_failure =
        "include \"" + std::string(include_name) + "\": no file " + *resolved + " in the bundle";
    return nullptr;
  }
  for (const std::string& open : ctx.stack) {
    if (open == *resolved) {
      ctx.include_failure = "include \"" + std::string(include_name) + "\": circular include";
      return nullptr;
    }
  }
  ctx.stack.push_back(*resolved);
  ctx.compiled.insert(*resolved);
  return (*ctx.sources)[it->second].text.c_str();
}

// The text stays owned by the sources.
void includeFree(const char*, void*) {}

void diagnosticCallback(int level, const char*, int line, const YR_RULE*, const char* message,
                        void* user) {
  auto& ctx = *static_cast<CompileContext*>(user);
  CompileDiagnostic d;
  d.file = currentBundleFile(ctx);
  d.line = line > 0 ? static_cast<uint32_t>(line) : 0;
  d.message = message != nullptr ? message : "";
  d.warning = level == YARA_ERROR_LEVEL_WARNING;
  // libyara only says "callback failed to provide include resource"; say why.
  if (!d.warning && !ctx.include_failure.empty() &&
      d.message.find("include") != std::string::npos) {
    d.message = std::move(ctx.include_failure);
    ctx.include_failure.clear();
  }
  if (!d.warning) ++ctx.errors;
  ctx.diagnostics->push_back(std::move(d));
}

Status invalid(const std::string& message) { return Status(ErrorCode::kRulesInvalid, message); }

// Sources that no other source includes: those are compiled as top-level files; an included
// file is compiled where it is included (compiling it twice would duplicate its rules).
Result<std::vector<size_t>> topLevelSources(CompileContext& ctx) {
  const auto& sources = *ctx.sources;
  for (size_t i = 0; i < sources.size(); ++i) {
    if (!ctx.by_name.emplace(sources[i].name, i).second) {
      return invalid("duplicate rule file name " + sources[i].name);
    }
  }
  std::unordered_set<std::string> included;
  for (const RuleSource& s : sources) {
    for (const std::string& name : includeDirectives(s.text)) {
      auto resolved = resolveIncludeName(s.name, name);
      if (resolved.isOk()) included.insert(*resolved);
    }
  }
  std::vector<size_t> top;
  for (size_t i = 0; i < sources.size(); ++i) {
    if (!included.contains(sources[i].name)) top.push_back(i);
  }
  return top;
}

Status defineExternals(YR_COMPILER* compiler) {
  for (const char* name : kExternalNames) {
    int rc = yr_compiler_define_string_variable(compiler, name, "");
    if (rc != ERROR_SUCCESS) {
      return Status(ErrorCode::kInternal, std::string("define external ") + name +
                                              ": libyara error " + std::to_string(rc));
    }
  }
  return Status::ok();
}

// Compiles one top-level source under its bundle name (libyara takes the name with a FILE*).
Status addSource(CompileContext& ctx, const RuleSource& source) {
  if (source.text.empty()) return Status::ok();
  auto stream = openMemoryStream(source.text);
  if (!stream.isOk()) {
    return Status(ErrorCode::kInternal, source.name + ": " + stream.status().message());
  }
  ctx.stack.assign(1, source.name);
  ctx.compiled.insert(source.name);
  yr_compiler_add_file(ctx.compiler, stream->get(), nullptr, source.name.c_str());
  return Status::ok();
}

Status firstError(const std::vector<CompileDiagnostic>& diagnostics, size_t from) {
  for (size_t i = from; i < diagnostics.size(); ++i) {
    const CompileDiagnostic& d = diagnostics[i];
    if (!d.warning) return invalid(d.file + ":" + std::to_string(d.line) + ": " + d.message);
  }
  return invalid("rules do not compile");
}

// The compiled form in memory, written by yr_rules_save_stream and read back by
// yr_rules_load_stream.
struct MemoryStream {
  std::string bytes;
  size_t read_pos = 0;
};

size_t memoryWrite(const void* ptr, size_t size, size_t count, void* user) {
  static_cast<MemoryStream*>(user)->bytes.append(static_cast<const char*>(ptr), size * count);
  return count;
}

size_t memoryRead(void* ptr, size_t size, size_t count, void* user) {
  auto* stream = static_cast<MemoryStream*>(user);
  size_t want = size * count;
  if (size == 0 || stream->bytes.size() - stream->read_pos < want) return 0;
  std::memcpy(ptr, stream->bytes.data() + stream->read_pos, want);
  stream->read_pos += want;
  return count;
}

// Takes the rules out of the compiler in their saved form, and frees the compile.
Result<SavedRules> saveAndFree(CompilerPtr compiler) {
  YR_RULES* built = nullptr;
  int rc = yr_compiler_get_rules(compiler.get(), &built);
  if (rc != ERROR_SUCCESS) {
    return Status(ErrorCode::kInternal,
                  "yr_compiler_get_rules: libyara error " + std::to_string(rc));
  }
  MemoryStream saved;
  YR_STREAM stream{};
  stream.user_data = &saved;
  stream.write = memoryWrite;
  rc = yr_rules_save_stream(built, &stream);
  yr_rules_destroy(built);
  compiler.reset();
  if (rc != ERROR_SUCCESS) {
    return Status(ErrorCode::kInternal,
                  "yr_rules_save_stream: libyara error " + std::to_string(rc));
  }
  return SavedRules{std::move(saved.bytes)};
}

}  // namespace

Result<SavedRules> compileRulesSaved(const std::vector<RuleSource>& sources,
                                     std::vector<CompileDiagnostic>* diagnostics) {
  XIAOAN_ASSIGN_OR_RETURN(YaraLibraryRef lib, YaraLibraryRef::acquire());
  std::vector<CompileDiagnostic> local;
  CompileContext ctx;
  ctx.sources = &sources;
  ctx.diagnostics = diagnostics != nullptr ? diagnostics : &local;
  size_t first_new = ctx.diagnostics->size();
  XIAOAN_ASSIGN_OR_RETURN(std::vector<size_t> top, topLevelSources(ctx));
  YR_COMPILER* raw = nullptr;
  if (yr_compiler_create(&raw) != ERROR_SUCCESS) {
    return Status(ErrorCode::kInternal, "yr_compiler_create failed");
  }
  CompilerPtr compiler(raw);
  ctx.compiler = raw;
  XIAOAN_RETURN_IF_ERROR(defineExternals(raw));
  yr_compiler_set_callback(raw, diagnosticCallback, &ctx);
  yr_compiler_set_include_callback(raw, includeCallback, includeFree, &ctx);
  for (size_t i : top) {
    XIAOAN_RETURN_IF_ERROR(addSource(ctx, sources[i]));
    // libyara refuses more input after a failed file.
    if (ctx.errors > 0) return firstError(*ctx.diagnostics, first_new);
  }
  // Files included only from each other (a cycle no top-level file reaches) were never read.
  for (const RuleSource& s : sources) {
    if (!ctx.compiled.contains(s.name) && !s.text.empty()) {
      return invalid(s.name + ":1: only included from an include cycle");
    }
  }
  return saveAndFree(std::move(compiler));
}

// libyara keeps an arena's relocation list after a load: one 16-byte heap block for every
// pointer inside the rules (~490 000 for signature-base, ~15 MB resident, as much again as the
// rules themselves). The list is only read to save the arena or to move a buffer that grows;
// loaded rules are never saved and their arena never grows (scanners and externals keep
// their own memory), so it is freed. yr_arena_release frees the list it finds: now empty.
void dropRelocations(YR_RULES* rules) {
  YR_ARENA* arena = rules->arena;
  YR_RELOC* reloc = arena->reloc_list_head;
  while (reloc != nullptr) {
    YR_RELOC* next = reloc->next;
    yr_free(reloc);
    reloc = next;
  }
  arena->reloc_list_head = nullptr;
  arena->reloc_list_tail = nullptr;
}

// libyara's compiler leaves its arenas with growth slack and a fragmented heap: loaded back
// from the saved form into a trimmed heap, without the relocation list, signature-base's two
// scan sets take ~18 MB resident (16.6 MB saved); the yara CLI holding one .yarc of it: ~29 MB.
Result<YaraRules> loadSavedRules(SavedRules saved) {
  XIAOAN_ASSIGN_OR_RETURN(YaraLibraryRef lib, YaraLibraryRef::acquire());
  MemoryStream source;
  source.bytes = std::move(saved.bytes);
  YR_STREAM stream{};
  stream.user_data = &source;
  stream.read = memoryRead;
  auto impl = std::make_unique<YaraRules::Impl>(std::move(lib));
  impl->compiled_bytes = source.bytes.size();
  int rc = yr_rules_load_stream(&stream, &impl->rules);
  if (rc != ERROR_SUCCESS) {
    return Status(ErrorCode::kInternal,
                  "yr_rules_load_stream: libyara error " + std::to_string(rc));
  }
  dropRelocations(impl->rules);
  const YR_RULE* rule = nullptr;
  yr_rules_foreach(impl->rules, rule) { ++impl->rule_count; }
  return YaraRules(std::move(impl));
}

Result<YaraRules> compileRules(const std::vector<RuleSource>& sources,
                               std::vector<CompileDiagnostic>* diagnostics) {
  // Held across both steps, so libyara is not finalized in between.
  XIAOAN_ASSIGN_OR_RETURN(YaraLibraryRef lib, YaraLibraryRef::acquire());
  XIAOAN_ASSIGN_OR_RETURN(SavedRules saved, compileRulesSaved(sources, diagnostics));
  trimHeap();  // the compile is freed: load into a trimmed heap
  return loadSavedRules(std::move(saved));
}

}  // namespace xiaoan::sig
