# Only the choices enums are typed (see typings/django/__init__.pyi); the rest is Any.
import enum
from typing import Any, ClassVar

# Abstract bases: members are declared by the project's subclasses.
class Choices(enum.Enum):  # type: ignore[misc]
    choices: ClassVar[list[tuple[Any, str]]]
    labels: ClassVar[list[str]]
    values: ClassVar[list[Any]]
    @property
    def label(self) -> str: ...

class TextChoices(str, Choices):  # type: ignore[misc]
    @property
    def value(self) -> str: ...

class IntegerChoices(int, Choices):  # type: ignore[misc]
    @property
    def value(self) -> int: ...

def __getattr__(name: str) -> Any: ...
