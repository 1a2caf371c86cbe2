"""Every write and rule of the pipeline: returns, record imports and the identity hash."""

from .identity import person_hash  # noqa: F401
from .records import (  # noqa: F401
    ImportFileError,
    clearing_in_words,
    commit_batch,
    create_batch,
    discard_batch,
    recheck_batch,
    request_codes,
    save_profile,
    validate_batch,
)
from .returns import (  # noqa: F401
    accept_return,
    accept_returns,
    import_returns_file,
    reopen_return,
    save_list_item,
    save_return,
    submit_return,
    validate_return,
)
