#include "services/api/test_openapi_check.h"

#include <Poco/Dynamic/Var.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>

namespace quorumclear::api::testing {
namespace {

using Poco::Dynamic::Var;
using Poco::JSON::Array;
using Poco::JSON::Object;

std::vector<std::string> segments(std::string_view path) {
  std::vector<std::string> out;
  std::size_t start = 1;
  while (start <= path.size()) {
    const std::size_t slash = path.find('/', start);
    const std::size_t end = slash == std::string_view::npos ? path.size() : slash;
    out.emplace_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

bool is_object(const Var& v) { return v.type() == typeid(Object::Ptr); }
bool is_array(const Var& v) { return v.type() == typeid(Array::Ptr); }

class Validator {
 public:
  explicit Validator(const Object::Ptr& root) : root_(root) {}

  // "#/components/schemas/X" -> that object.
  Object::Ptr resolve(Object::Ptr schema) const {
    while (schema && schema->has("$ref")) {
      const std::string ref = schema->getValue<std::string>("$ref");
      Object::Ptr node = root_;
      std::istringstream parts(ref.substr(2));
      std::string part;
      while (std::getline(parts, part, '/')) node = node->getObject(part);
      if (!node) throw std::runtime_error("unresolved " + ref);
      schema = node;
    }
    return schema;
  }

  void validate(Object::Ptr schema, const Var& value, const std::string& at,
                std::vector<std::string>& errors) const {
    // OpenAPI 3.0 writes a nullable reference as {"nullable": true, "allOf": [{"$ref": ...}]}.
    if (value.isEmpty() && schema->has("nullable") && schema->getValue<bool>("nullable")) return;
    if (const Array::Ptr all = schema->getArray("allOf")) {
      for (std::size_t i = 0; i < all->size(); ++i) validate(all->getObject(static_cast<unsigned>(i)), value, at, errors);
      return;
    }
    schema = resolve(schema);
    const std::string type = schema->has("type") ? schema->getValue<std::string>("type") : "";
    auto fail = [&](const std::string& what) { errors.push_back(at + ": " + what); };
    if (type == "object") {
      if (!is_object(value)) return fail("not an object");
      validate_object(schema, value.extract<Object::Ptr>(), at, errors);
    } else if (type == "array") {
      if (!is_array(value)) return fail("not an array");
      const Array::Ptr array = value.extract<Array::Ptr>();
      if (schema->has("minItems") && array->size() < schema->getValue<std::size_t>("minItems"))
        fail("too few items");
      if (schema->has("maxItems") && array->size() > schema->getValue<std::size_t>("maxItems"))
        fail("too many items");
      for (std::size_t i = 0; i < array->size(); ++i) {
        validate(schema->getObject("items"), array->get(static_cast<unsigned>(i)),
                 at + "[" + std::to_string(i) + "]", errors);
      }
    } else if (type == "string") {
      if (!value.isString()) return fail("not a string");
      validate_string(schema, value.extract<std::string>(), fail);
    } else if (type == "integer") {
      if (!value.isInteger()) return fail("not an integer");
      const auto n = value.convert<Poco::Int64>();
      if (schema->has("minimum") && n < schema->getValue<Poco::Int64>("minimum")) fail("below minimum");
      if (schema->has("maximum") && n > schema->getValue<Poco::Int64>("maximum")) fail("above maximum");
    } else if (type == "boolean") {
      if (!value.isBoolean()) fail("not a boolean");
    } else if (type == "number") {
      if (!value.isNumeric()) fail("not a number");
    } else {
      fail("schema has no supported type");
    }
  }

 private:
  void validate_object(const Object::Ptr& schema, const Object::Ptr& object, const std::string& at,
                       std::vector<std::string>& errors) const {
    const Object::Ptr properties = schema->getObject("properties");
    if (const Array::Ptr required = schema->getArray("required")) {
      for (std::size_t i = 0; i < required->size(); ++i) {
        const std::string name = required->getElement<std::string>(static_cast<unsigned>(i));
        if (!object->has(name)) errors.push_back(at + ": missing required " + name);
      }
    }
    const bool closed =
        schema->has("additionalProperties") && !schema->getValue<bool>("additionalProperties");
    for (const auto& [name, value] : *object) {
      if (properties && properties->has(name)) {
        validate(properties->getObject(name), value, at + "." + name, errors);
      } else if (closed) {
        errors.push_back(at + ": undocumented property " + name);
      }
    }
  }

  template <class Fail>
  void validate_string(const Object::Ptr& schema, const std::string& text, Fail&& fail) const {
    if (const Array::Ptr values = schema->getArray("enum")) {
      bool found = false;
      for (std::size_t i = 0; i < values->size(); ++i) {
        found = found || values->getElement<std::string>(static_cast<unsigned>(i)) == text;
      }
      if (!found) fail("\"" + text + "\" is not in the enum");
    }
    if (schema->has("pattern") &&
        !std::regex_search(text, std::regex(schema->getValue<std::string>("pattern")))) {
      fail("\"" + text + "\" does not match " + schema->getValue<std::string>("pattern"));
    }
    if (schema->has("maxLength") && text.size() > schema->getValue<std::size_t>("maxLength"))
      fail("too long");
  }

  Object::Ptr root_;
};

Var parse(const std::string& body) {
  Poco::JSON::Parser parser;
  return parser.parse(body);
}

}  // namespace

OpenApiDocument::OpenApiDocument(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  root_ = parse(text.str()).extract<Object::Ptr>();
}

const OpenApiDocument& OpenApiDocument::instance() {
  static const OpenApiDocument document(QC_API_OPENAPI_PATH);
  return document;
}

std::vector<std::string> OpenApiDocument::paths() const {
  std::vector<std::string> out;
  for (const auto& [name, item] : *root_->getObject("paths")) out.push_back(name);
  return out;
}

std::vector<std::string> OpenApiDocument::check(std::string_view method, std::string_view target, int status,
                                                const std::map<std::string, std::string>& headers,
                                                const std::string& body) const {
  const std::string path(target.substr(0, target.find('?')));
  const std::vector<std::string> have = segments(path);
  std::string lower(method);
  for (char& c : lower) c = static_cast<char>(std::tolower(c));
  // The operation whose path fits, a literal segment preferred over a {parameter}.
  Object::Ptr operation;
  bool path_exists = false;
  int best_params = 1 << 20;
  for (const std::string& candidate : paths()) {
    const std::vector<std::string> want = segments(candidate);
    if (want.size() != have.size()) continue;
    int params = 0;
    bool fits = true;
    for (std::size_t i = 0; i < want.size() && fits; ++i) {
      if (!want[i].empty() && want[i][0] == '{') {
        ++params;
        fits = !have[i].empty();
      } else {
        fits = want[i] == have[i];
      }
    }
    if (!fits) continue;
    path_exists = true;
    const Object::Ptr item = root_->getObject("paths")->getObject(candidate);
    if (item->has(lower) && params < best_params) {
      operation = item->getObject(lower);
      best_params = params;
    }
  }
  Validator validator(root_);
  const Object::Ptr shared = root_->getObject("components")->getObject("responses");
  Object::Ptr response;
  const std::string code = std::to_string(status);
  if (operation && operation->getObject("responses")->has(code)) {
    response = validator.resolve(operation->getObject("responses")->getObject(code));
  } else if (!path_exists && status == 404) {
    response = shared->getObject("NotFound");
  } else if (path_exists && !operation && status == 405) {
    response = shared->getObject("MethodNotAllowed");
  } else {
    return {std::string(method) + " " + path + ": status " + code + " is not documented"};
  }
  std::vector<std::string> errors;
  if (const auto it = headers.find("content-type"); it == headers.end() || it->second != "application/json") {
    errors.push_back("Content-Type is not application/json");
  }
  if (const Object::Ptr documented = response->getObject("headers")) {
    for (const auto& [name, spec] : *documented) {
      std::string header = name;
      for (char& c : header) c = static_cast<char>(std::tolower(c));
      const auto it = headers.find(header);
      if (it == headers.end() || it->second.empty() ||
          it->second.find_first_not_of("0123456789") != std::string::npos || it->second == "0") {
        errors.push_back("header " + name + " missing or not a positive integer");
      }
    }
  }
  try {
    const Object::Ptr schema =
        response->getObject("content")->getObject("application/json")->getObject("schema");
    validator.validate(schema, parse(body), "$", errors);
  } catch (const std::exception& e) {
    errors.push_back(std::string("body is not JSON: ") + e.what());
  }
  return errors;
}

std::vector<std::string> OpenApiDocument::check_schema(std::string_view name, const std::string& body) const {
  Validator validator(root_);
  Object::Ptr schema = new Object;
  schema->set("$ref", "#/components/schemas/" + std::string(name));
  std::vector<std::string> errors;
  validator.validate(schema, parse(body), "$", errors);
  return errors;
}

}  // namespace quorumclear::api::testing
