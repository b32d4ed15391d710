"""The school staff page: a principal (or an office administrator) manages the school's
accounts and roles without the Django admin, which stays for system administrators."""
